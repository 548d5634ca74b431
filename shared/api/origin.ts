import { PRIMARY_KINDS, type PrimaryKind } from './resources.ts';
import type { ObjectMeta } from './meta.ts';

/**
 * Origin metadata (behavior.md 2.2, apinet-api.md 8.2): every apinet projection carries the
 * source's UID and namespace as labels and its name as an annotation, under an origin name
 * `apinetlet.ironcore.dev/<kind>`; the ironcore object carries the finalizer
 * `apinet.ironcore.dev/<kind>`.
 */

/** Server-side-apply field manager of every projection (R-GEN-07). */
export const APINETLET_FIELD_MANAGER = 'ironcore.dev/apinetlet';
/** Field manager of NetworkPolicyRule applies (R-GEN-07, R-NP-02). */
export const NETWORK_POLICY_RULE_FIELD_MANAGER = 'networkpolicies.networking.ironcore.dev';

export const ORIGIN_PREFIX = 'apinetlet.ironcore.dev/';
export const FINALIZER_PREFIX = 'apinet.ironcore.dev/';

export interface OriginKeys {
  readonly uidLabel: string;
  readonly namespaceLabel: string;
  readonly nameAnnotation: string;
  readonly finalizer: string;
}

function keysOf(kind: PrimaryKind): OriginKeys {
  const lower = kind.toLowerCase();
  const origin = `${ORIGIN_PREFIX}${lower}`;
  return Object.freeze({
    uidLabel: `${origin}-uid`,
    namespaceLabel: `${origin}-namespace`,
    nameAnnotation: `${origin}-name`,
    finalizer: `${FINALIZER_PREFIX}${lower}`,
  });
}

const ORIGIN_KEYS: Readonly<Record<PrimaryKind, OriginKeys>> = Object.freeze(
  Object.fromEntries(PRIMARY_KINDS.map((k) => [k, keysOf(k)])) as Record<PrimaryKind, OriginKeys>,
);

export function originKeysOf(kind: PrimaryKind): OriginKeys {
  const keys = ORIGIN_KEYS[kind];
  if (!keys) throw new Error(`origin keys: unknown kind ${JSON.stringify(kind)}; expected one of ${PRIMARY_KINDS.join(', ')}`);
  return keys;
}

/** The apinetlet finalizer on an ironcore object of `kind`. */
export function finalizerOf(kind: PrimaryKind): string {
  return originKeysOf(kind).finalizer;
}

type Source = { metadata?: ObjectMeta };

function sourceField(kind: PrimaryKind, obj: Source, field: 'uid' | 'namespace' | 'name'): string {
  const value = obj.metadata?.[field];
  if (!value) {
    const key = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    throw new Error(`origin metadata for ${kind} ${key}: metadata.${field} is empty; use the object as read from the cluster`);
  }
  return value;
}

/** Labels `<origin>-uid` and `<origin>-namespace` of the ironcore source `obj`. */
export function originLabels(kind: PrimaryKind, obj: Source): Record<string, string> {
  const keys = originKeysOf(kind);
  return { [keys.uidLabel]: sourceField(kind, obj, 'uid'), [keys.namespaceLabel]: sourceField(kind, obj, 'namespace') };
}

/** Annotation `<origin>-name` of the ironcore source `obj`. */
export function originAnnotations(kind: PrimaryKind, obj: Source): Record<string, string> {
  return { [originKeysOf(kind).nameAnnotation]: sourceField(kind, obj, 'name') };
}

/** Whether all three origin keys of `kind` are present (values may be empty, as in Go). */
export function hasCompleteOrigin(apinetObj: Source, kind: PrimaryKind): boolean {
  const keys = originKeysOf(kind);
  const labels = apinetObj.metadata?.labels ?? {};
  const annotations = apinetObj.metadata?.annotations ?? {};
  return keys.uidLabel in labels && keys.namespaceLabel in labels && keys.nameAnnotation in annotations;
}

/** "Stems from X" (behavior.md 2.2): all three keys present and the uid label equals `uid`. */
export function stemsFrom(apinetObj: Source, kind: PrimaryKind, uid: string): boolean {
  return hasCompleteOrigin(apinetObj, kind) && apinetObj.metadata?.labels?.[originKeysOf(kind).uidLabel] === uid;
}

export interface OriginKey {
  kind: PrimaryKind;
  namespace: string;
  name: string;
  uid: string;
}

/**
 * R-GEN-05: the ironcore objects an apinet object's events re-trigger, one per kind whose
 * three origin keys are all present. Keys with an empty namespace or name cannot be reconciled
 * and trigger nothing.
 */
export function originKeysFrom(apinetObj: Source): OriginKey[] {
  const result: OriginKey[] = [];
  for (const kind of PRIMARY_KINDS) {
    if (!hasCompleteOrigin(apinetObj, kind)) continue;
    const keys = originKeysOf(kind);
    const namespace = apinetObj.metadata?.labels?.[keys.namespaceLabel] ?? '';
    const name = apinetObj.metadata?.annotations?.[keys.nameAnnotation] ?? '';
    const uid = apinetObj.metadata?.labels?.[keys.uidLabel] ?? '';
    if (namespace && name) result.push({ kind, namespace, name, uid });
  }
  return result;
}

/** R-GEN-05: the first complete origin of an apinet object (PRIMARY_KINDS order), or undefined. */
export function originKeyOf(apinetObj: Source): OriginKey | undefined {
  return originKeysFrom(apinetObj)[0];
}

/**
 * R-GEN-06 list selector: apinet objects of `kind`'s origin in `namespace`
 * (uid label exists, namespace label equals). Kubernetes `labelSelector=` syntax.
 */
export function originNamespaceSelector(kind: PrimaryKind, namespace: string): string {
  const keys = originKeysOf(kind);
  return `${keys.uidLabel},${keys.namespaceLabel}=${namespace}`;
}
