/**
 * Pure helpers every kind's reconcile core shares: the lifecycle decision (finalizer first,
 * deletion flow), owner references, and the "differs?" comparison that keeps status patches
 * to real changes.
 */
import { originAnnotations, originKeysOf, originLabels } from '../../api/origin.ts';
import { APINET_GROUP, V1ALPHA1, type PrimaryKind } from '../../api/resources.ts';
import { ReconcileError, objectKey } from './errors.ts';

/** Settings every core reads; the shell builds them from the environment (ARCHITECTURE.md 7). */
export interface CoreSettings {
  /** `APINET_NAMESPACE`: where all projections live. */
  readonly apinetNamespace: string;
}

interface LifecycleMeta {
  readonly deletionTimestamp?: string | null;
  readonly finalizers?: readonly string[] | null;
}

/**
 * What to do with an ironcore object before any kind-specific work:
 * - `reconcile`: the finalizer is present and the object lives — compute and apply;
 * - `add-finalizer` (R-GEN-01): add it (guarded patch), then carry on with `reconcile` in the
 *   same invocation;
 * - `delete` (R-NET-11, R-LB-08, R-NATGW-04, R-VIP-03): being deleted with our finalizer —
 *   follow {@link deletionStep};
 * - `ignore` (R-GEN-02): being deleted without our finalizer — touch nothing.
 */
export type LifecycleDecision = 'reconcile' | 'add-finalizer' | 'delete' | 'ignore';

export function lifecycleDecision(meta: LifecycleMeta, finalizer: string): LifecycleDecision {
  const has = (meta.finalizers ?? []).includes(finalizer);
  if (meta.deletionTimestamp) return has ? 'delete' : 'ignore';
  return has ? 'reconcile' : 'add-finalizer';
}

/**
 * The deletion flow as a state function (R-NET-11, R-LB-08, R-NATGW-04, R-VIP-03): while the
 * apinet projection is still readable, (re-)issue its delete and wait; only once the read says
 * not-found is the ironcore finalizer removed. Secondary objects (routing, autoscaler) go by
 * owner-reference GC.
 */
export type DeletionStep = 'delete-apinet-and-wait' | 'remove-finalizer';

export function deletionStep(apinetProjectionPresent: boolean): DeletionStep {
  return apinetProjectionPresent ? 'delete-apinet-and-wait' : 'remove-finalizer';
}

/** JSON patch ops that add or remove a finalizer, guarded by a `test` on resourceVersion (R-GEN-01). */
export function finalizerPatch(
  meta: LifecycleMeta & { readonly resourceVersion?: string },
  finalizer: string,
  op: 'add' | 'remove',
): Array<{ op: string; path: string; value?: unknown }> | null {
  const list = meta.finalizers ?? [];
  const index = list.indexOf(finalizer);
  if (op === 'add' && index >= 0) return null;
  if (op === 'remove' && index < 0) return null;
  const guard = meta.resourceVersion ? [{ op: 'test', path: '/metadata/resourceVersion', value: meta.resourceVersion }] : [];
  if (op === 'remove') return [...guard, { op: 'test', path: `/metadata/finalizers/${index}`, value: finalizer }, { op: 'remove', path: `/metadata/finalizers/${index}` }];
  if (list.length === 0 && !meta.finalizers) return [...guard, { op: 'add', path: '/metadata/finalizers', value: [finalizer] }];
  return [...guard, { op: 'add', path: '/metadata/finalizers/-', value: finalizer }];
}

/** Metadata of a secondary projection (routing, autoscaler) owned by its primary apinet object. */
// A type alias (not an interface) so that it stays assignable to the client's index-signature metadata.
export type OwnedProjectionMeta = {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ownerReferences: ControllerOwnerReference[];
};

export interface ControllerOwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller: true;
  readonly blockOwnerDeletion: true;
}

/** Controller owner reference to an apinet object (R-LB-06, R-NATGW-02), so GC removes the child with it. */
export function apinetControllerReference(kind: string, owner: { readonly name: string; readonly uid: string }): ControllerOwnerReference {
  return { apiVersion: `${APINET_GROUP}/${V1ALPHA1}`, kind, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true };
}

/**
 * Structural equality of JSON values with object keys in any order; `undefined` and `null`
 * count as absent (Go emits unset pointers either way). Used to patch a status only when it changes.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b || (a == null && b == null)) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!sameJson(ao[k], bo[k])) return false;
  return true;
}

/** An absent, null or empty list are the same to a reader of a status field. */
export function sameList<T>(a: readonly T[] | null | undefined, b: readonly T[] | null | undefined): boolean {
  return sameJson(a ?? [], b ?? []);
}

/** The addresses of server-filled `spec.ips[].ip`, in order; entries still unallocated are left out. */
export function allocatedIps(ips: ReadonlyArray<{ readonly ip?: string | null }> | null | undefined): string[] {
  return (ips ?? []).flatMap((e) => (e.ip ? [e.ip] : []));
}

/**
 * R-LB-01, R-NATGW-03: `status.ips` = the applied object's allocated `spec.ips[].ip` in order;
 * null when unchanged; an empty result clears the list (merge patch null).
 */
export function ipsStatusPatch(
  currentStatusIps: readonly string[] | null | undefined,
  appliedSpecIps: ReadonlyArray<{ readonly ip?: string | null }> | null | undefined,
): { status: { ips: string[] | null } } | null {
  const ips = allocatedIps(appliedSpecIps);
  if (sameList(currentStatusIps, ips)) return null;
  return { status: { ips: ips.length > 0 ? ips : null } };
}

export interface OriginSource {
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
}

export interface OriginMetadata {
  /** The source UID: also the name of every projection (behavior.md 2.1). */
  readonly uid: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/**
 * Origin labels (uid, namespace) and annotation (name) of a projection (behavior.md 2.2,
 * R-GEN-07), e.g. `apinetlet.ironcore.dev/network-uid`. A source lacking any of the three values
 * is a non-retryable ReconcileError: its projection could never be mapped back (R-GEN-05).
 */
export function originMetadata(kind: PrimaryKind, source: OriginSource): OriginMetadata {
  const { name, namespace, uid } = source;
  if (!name || !namespace || !uid) {
    throw new ReconcileError(objectKey(source), 'desired', `the ironcore ${kind} lacks metadata.${!name ? 'name' : !namespace ? 'namespace' : 'uid'}; pass the object as read from the cluster`, { retryable: false });
  }
  const obj = { metadata: { name, namespace, uid } };
  return { uid, labels: originLabels(kind, obj), annotations: originAnnotations(kind, obj) };
}

/**
 * R-GEN-06 (and NET-02 for Networks): of the apinet objects listed with
 * `originNamespaceSelector(kind, namespace)` (uid label exists, namespace label = `namespace`),
 * those whose name annotation is `name` — the projections of a gone ironcore object. The uid
 * value is not compared, as in Go.
 */
export function goneProjections<T extends { readonly metadata?: { readonly labels?: Readonly<Record<string, string>> | null; readonly annotations?: Readonly<Record<string, string>> | null } }>(
  listed: readonly T[],
  kind: PrimaryKind,
  namespace: string,
  name: string,
): T[] {
  const keys = originKeysOf(kind);
  return listed.filter((obj) => {
    const labels = obj.metadata?.labels ?? {};
    return keys.uidLabel in labels && labels[keys.namespaceLabel] === namespace && obj.metadata?.annotations?.[keys.nameAnnotation] === name;
  });
}
