/**
 * Pure parts of admission (kube-api.md §11): which webhooks a request calls, the AdmissionReview
 * request body, response verification and the Status a denial becomes.
 */
import { ApiError, type KindDef, type KubeObject } from './types.ts';

export interface AdmissionAttributesLike {
  kind: KindDef;
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  subresource?: string;
  namespace?: string;
  name: string;
  object?: KubeObject;
  oldObject?: KubeObject;
  dryRun: boolean;
  userInfo: { username: string; uid?: string; groups: string[] };
  options?: unknown;
}

interface Rule { operations?: string[]; apiGroups?: string[]; apiVersions?: string[]; resources?: string[]; scope?: string }
interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** One `webhooks[]` item of a Mutating/ValidatingWebhookConfiguration (§11.2). */
export interface Webhook {
  name: string;
  clientConfig?: { url?: string; caBundle?: string; service?: { namespace?: string; name?: string; path?: string; port?: number } };
  rules?: Rule[];
  failurePolicy?: 'Fail' | 'Ignore';
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  sideEffects?: string;
  timeoutSeconds?: number;
  reinvocationPolicy?: 'Never' | 'IfNeeded';
}

/** Webhooks in call order: configurations by metadata.name, then `webhooks[]` order (§11.3). */
export function orderedWebhooks(configs: KubeObject[]): Webhook[] {
  return [...configs]
    .sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0))
    .flatMap((c) => (Array.isArray(c.webhooks) ? (c.webhooks as Webhook[]) : []));
}

const has = (list: string[] | undefined, v: string): boolean => !!list && (list.includes('*') || list.includes(v));

export function ruleMatches(rule: Rule, a: AdmissionAttributesLike): boolean {
  const k = a.kind;
  if (!has(rule.operations, a.operation) || !has(rule.apiGroups, k.group) || !has(rule.apiVersions, k.version)) return false;
  const sub = a.subresource && a.subresource !== 'main' ? a.subresource : '';
  const resOk = (rule.resources ?? []).some((entry) => {
    const [res, rsub] = entry.split('/', 2) as [string, string | undefined];
    if (res !== '*' && res !== k.resource) return false;
    if (rsub === undefined) return sub === '';
    return rsub === '*' || rsub === sub;
  });
  if (!resOk) return false;
  const scope = rule.scope ?? '*';
  const isNamespaceKind = k.group === '' && k.resource === 'namespaces';
  if (scope === 'Namespaced') return k.namespaced && !isNamespaceKind;
  if (scope === 'Cluster') return !k.namespaced || isNamespaceKind;
  return true;
}

export function selectorMatches(sel: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel?.matchExpressions ?? []) {
    const present = Object.hasOwn(l, e.key);
    const inValues = present && (e.values ?? []).includes(l[e.key]!);
    const ok = e.operator === 'In' ? inValues
      : e.operator === 'NotIn' ? !inValues
        : e.operator === 'Exists' ? present
          : e.operator === 'DoesNotExist' ? !present : false;
    if (!ok) return false;
  }
  return true;
}

const isEmptySelector = (s: LabelSelector | undefined): boolean =>
  !s || (Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0);

/**
 * Whether the webhook is called for the request (§11.3: namespaceSelector, objectSelector, rules;
 * matchConditions are treated as true — the emulator has no CEL). Throws 404 when a non-empty
 * namespaceSelector meets a namespace that does not exist.
 */
export function shouldCall(h: Webhook, a: AdmissionAttributesLike, namespaceLabels: (ns: string) => Record<string, string> | undefined): boolean {
  if (!isEmptySelector(h.namespaceSelector)) {
    const isNamespaceKind = a.kind.group === '' && a.kind.resource === 'namespaces';
    if (isNamespaceKind) {
      if (!selectorMatches(h.namespaceSelector, (a.object ?? a.oldObject)?.metadata.labels)) return false;
    } else if (a.kind.namespaced) {
      const ns = a.namespace ?? '';
      const labels = namespaceLabels(ns);
      if (!labels) throw new ApiError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
      if (!selectorMatches(h.namespaceSelector, labels)) return false;
    }
  }
  if (!isEmptySelector(h.objectSelector)) {
    const matches = [a.object, a.oldObject].some((o) => o !== undefined && selectorMatches(h.objectSelector, o.metadata.labels));
    if (!matches) return false;
  }
  return (h.rules ?? []).some((r) => ruleMatches(r, a));
}

const defaultOptions = (op: string): Record<string, unknown> => ({
  kind: op === 'CREATE' ? 'CreateOptions' : op === 'UPDATE' ? 'UpdateOptions' : 'DeleteOptions',
  apiVersion: 'meta.k8s.io/v1',
});

/** The AdmissionReview v1 request (§11.4); empty subResource/name/namespace are omitted. */
export function admissionReview(a: AdmissionAttributesLike, uid: string, object: KubeObject | undefined): Record<string, unknown> {
  const k = a.kind;
  const sub = a.subresource && a.subresource !== 'main' ? a.subresource : undefined;
  const gvk = { group: k.group, version: k.version, kind: k.kind };
  const gvr = { group: k.group, version: k.version, resource: k.resource };
  return {
    kind: 'AdmissionReview',
    apiVersion: 'admission.k8s.io/v1',
    request: {
      uid, kind: gvk, resource: gvr, ...(sub ? { subResource: sub } : {}),
      requestKind: gvk, requestResource: gvr, ...(sub ? { requestSubResource: sub } : {}),
      ...(a.name ? { name: a.name } : {}), ...(a.namespace ? { namespace: a.namespace } : {}),
      operation: a.operation,
      userInfo: { username: a.userInfo.username, ...(a.userInfo.uid ? { uid: a.userInfo.uid } : {}), groups: a.userInfo.groups, extra: {} },
      object: object ?? null,
      oldObject: a.oldObject ?? null,
      dryRun: a.dryRun,
      options: a.options ?? defaultOptions(a.operation),
    },
  };
}

export interface VerifiedResponse {
  allowed: boolean;
  patch?: string;
  warnings: string[];
  status?: { code?: number; reason?: string; message?: string; details?: unknown };
}

/** Response checks of VerifyAdmissionResponse (§11.5); returns the reason text of an invalid response. */
export function verifyResponse(body: unknown, uid: string, mutating: boolean): VerifiedResponse | string {
  if (body === null || typeof body !== 'object') return 'webhook response was not a JSON object';
  const b = body as Record<string, unknown>;
  if (b.apiVersion !== 'admission.k8s.io/v1' || b.kind !== 'AdmissionReview') {
    return `expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${String(b.apiVersion ?? '')}, Kind=${String(b.kind ?? '')}`;
  }
  const r = b.response as Record<string, unknown> | undefined;
  if (!r || typeof r !== 'object') return 'webhook response was absent';
  if (r.uid !== uid) return `expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(r.uid ?? '')}`;
  const hasPatch = typeof r.patch === 'string' && r.patch.length > 0;
  const hasType = typeof r.patchType === 'string' && r.patchType.length > 0;
  if (!mutating && hasPatch) return 'validating webhook may not return response.patch';
  if (!mutating && hasType) return 'validating webhook may not return response.patchType';
  if (hasPatch && !hasType) return 'webhook returned response.patch but not response.patchType';
  if (hasType && !hasPatch) return 'webhook returned response.patchType but not response.patch';
  if (hasType && r.patchType !== 'JSONPatch') return `webhook returned invalid response.patchType of ${JSON.stringify(r.patchType)}`;
  const warnings = Array.isArray(r.warnings) ? r.warnings.filter((w): w is string => typeof w === 'string') : [];
  return {
    allowed: r.allowed === true,
    ...(hasPatch ? { patch: r.patch as string } : {}),
    warnings,
    ...(r.status && typeof r.status === 'object' ? { status: r.status as VerifiedResponse['status'] } : {}),
  };
}

/** A webhook's denial as the real server answers it (statuserror.go, §11.5). */
export function denialError(name: string, status: VerifiedResponse['status']): ApiError {
  const s = status ?? {};
  const code = typeof s.code === 'number' && s.code >= 400 ? s.code : 400;
  const prefix = `admission webhook ${JSON.stringify(name)} denied the request`;
  const message = s.message ? `${prefix}: ${s.message}` : s.reason ? `${prefix}: ${s.reason}` : `${prefix} without explanation`;
  return new ApiError(code, s.reason ?? '', message, s.details as ApiError['details']);
}

/** A failed call under failurePolicy Fail (§11.6): 500 InternalError. */
export function failedCallError(name: string, detail: string): ApiError {
  const cause = `failed calling webhook ${JSON.stringify(name)}: ${detail}`;
  return new ApiError(500, 'InternalError', `Internal error occurred: ${cause}`, {
    causes: [{ message: cause } as { reason: string; message: string; field: string }],
  });
}
