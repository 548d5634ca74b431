/**
 * Kinds every emulated server serves besides its flavour's: core `Namespace` and the
 * admissionregistration.k8s.io/v1 webhook configurations (kube-api.md §11.2), all cluster-scoped,
 * and the namespaced core/v1 `Event` (what `kubectl describe` lists).
 */
import type { FieldCause, KindDef, KubeObject } from './types.ts';
import type { ServedKind } from './kinds.ts';
import { field } from './status.ts';

export const namespaceKind: ServedKind = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  resource: 'namespaces',
  singular: 'namespace',
  shortNames: ['ns'],
  namespaced: false,
  statusSubresource: true,
  resetsStatusOnMainWrite: true,
  nameRule: 'label',
  hooks: {
    default(obj) {
      // A real namespace carries the `kubernetes` finalizer in spec and starts Active.
      obj.spec = { finalizers: ['kubernetes'], ...((obj.spec as object) ?? {}) };
      const status = (obj.status as { phase?: string } | undefined) ?? {};
      if (!status.phase) obj.status = { ...status, phase: 'Active' };
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name! };
    },
  },
};

const SIDE_EFFECTS = ['None', 'NoneOnDryRun'];

/** §11.2: the checks clients meet most (sideEffects, names, admissionReviewVersions, clientConfig). */
function validateWebhooks(obj: KubeObject): FieldCause[] {
  const causes: FieldCause[] = [];
  const hooks = (obj.webhooks as Record<string, unknown>[] | undefined) ?? [];
  const seen = new Set<string>();
  hooks.forEach((w, i) => {
    const p = `webhooks[${i}]`;
    if (!w.name) causes.push(field.required(`${p}.name`));
    else if (seen.has(String(w.name))) causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(w.name)}`, field: `${p}.name` });
    seen.add(String(w.name));
    if (w.sideEffects === undefined) causes.push(field.required(`${p}.sideEffects`, 'must specify one of None, NoneOnDryRun'));
    else if (!SIDE_EFFECTS.includes(String(w.sideEffects))) causes.push(field.notSupported(`${p}.sideEffects`, w.sideEffects, SIDE_EFFECTS));
    if (!Array.isArray(w.admissionReviewVersions) || w.admissionReviewVersions.length === 0) {
      causes.push(field.required(`${p}.admissionReviewVersions`, 'must specify one of v1, v1beta1'));
    }
    const cc = (w.clientConfig as { url?: string; service?: unknown } | undefined) ?? {};
    if (!cc.url && !cc.service) causes.push(field.required(`${p}.clientConfig`, 'exactly one of url or service is required'));
    if (cc.url && !String(cc.url).startsWith('https://')) causes.push(field.invalid(`${p}.clientConfig.url`, cc.url, "'https' is the only allowed URL scheme"));
    if (w.failurePolicy !== undefined && !['Fail', 'Ignore'].includes(String(w.failurePolicy))) {
      causes.push(field.notSupported(`${p}.failurePolicy`, w.failurePolicy, ['Fail', 'Ignore']));
    }
    const t = w.timeoutSeconds;
    if (t !== undefined && (typeof t !== 'number' || t < 1 || t > 30)) causes.push(field.invalid(`${p}.timeoutSeconds`, t, 'the timeout value must be between 1 and 30 seconds'));
  });
  return causes;
}

function webhookConfigurationKind(kind: string, resource: string, mutating: boolean): KindDef {
  return {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kind,
    resource,
    singular: resource.replace(/s$/, ''),
    namespaced: false,
    statusSubresource: false,
    nameRule: 'subdomain',
    generation: true,
    hooks: {
      default(obj) {
        for (const w of (obj.webhooks as Record<string, unknown>[] | undefined) ?? []) {
          w.failurePolicy ??= 'Fail';
          w.matchPolicy ??= 'Equivalent';
          w.timeoutSeconds ??= 10;
          w.namespaceSelector ??= {};
          w.objectSelector ??= {};
          if (mutating) w.reinvocationPolicy ??= 'Never';
          for (const r of (w.rules as Record<string, unknown>[] | undefined) ?? []) r.scope ??= '*';
        }
      },
      validate: (obj) => validateWebhooks(obj),
    },
  };
}

export const mutatingWebhookConfigurationKind = webhookConfigurationKind('MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', true);
export const validatingWebhookConfigurationKind = webhookConfigurationKind('ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', false);

/**
 * core/v1 Event, what `kubectl describe` lists (fieldSelector on involvedObject.*) and what the
 * reconcilers record. Validation as the real server's for v1 (legacy rules only): the involved
 * object's namespace must match the Event's.
 * Served by both flavours, as by every kube-apiserver.
 */
export const eventKind: KindDef = {
  group: '',
  version: 'v1',
  kind: 'Event',
  resource: 'events',
  singular: 'event',
  shortNames: ['ev'],
  namespaced: true,
  statusSubresource: false,
  nameRule: 'subdomain',
  fieldSelectors: Object.fromEntries(
    ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'].map((f) => [
      `involvedObject.${f}`,
      (obj: KubeObject) => String((obj.involvedObject as Record<string, unknown> | undefined)?.[f] ?? ''),
    ]).concat([
      ['reason', (obj: KubeObject) => String(obj.reason ?? '')],
      ['type', (obj: KubeObject) => String(obj.type ?? '')],
      ['source', (obj: KubeObject) => String((obj.source as { component?: string } | undefined)?.component ?? '')],
    ]),
  ),
  hooks: {
    validate(obj) {
      const causes: FieldCause[] = [];
      const involved = (obj.involvedObject as { namespace?: string } | undefined) ?? {};
      // apis/core/validation legacyValidateEvent (no eventTime): an involved object without a
      // namespace allows only the default namespace.
      const mismatch = involved.namespace ? involved.namespace !== obj.metadata.namespace : obj.metadata.namespace !== 'default';
      if (mismatch) causes.push(field.invalid('involvedObject.namespace', involved.namespace ?? '', 'does not match event.namespace'));
      return causes;
    },
  },
};

export const coreKinds: KindDef[] = [namespaceKind, mutatingWebhookConfigurationKind, validatingWebhookConfigurationKind, eventKind];
