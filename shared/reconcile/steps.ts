/**
 * I/O steps several kinds share (STYLE.md: no copy-paste between kinds). Each step is small and
 * does one thing against one cluster; the decisions stay in the pure cores.
 */
import { APINETLET_FIELD_MANAGER, originKeysOf, originNamespaceSelector } from '../api/origin.ts';
import type { PrimaryKind, ResourceInfo } from '../api/resources.ts';
import { isNotFound, type KubeClient } from '../kube/index.ts';
import type { KubeObject } from '../kube/types.ts';
import type { ObjectKey, ReconcileEnv } from './runtime.ts';

/** R-GEN-07: server-side apply with force under our field manager (or the one given). */
export function applyApinet<T extends KubeObject = KubeObject>(
  env: ReconcileEnv,
  res: ResourceInfo,
  body: KubeObject,
  fieldManager = APINETLET_FIELD_MANAGER,
): Promise<T> {
  return env.apinet.apply<T>(res, body, { fieldManager, force: true });
}

/**
 * Deletion that waits (R-NET-11, R-LB-08, R-NATGW-04, R-VIP-03): issue the delete while the
 * apinet object can still be read; `gone` only once the server says it no longer exists.
 */
export async function deleteApinetAndWait(env: ReconcileEnv, res: ResourceInfo, name: string): Promise<'gone' | 'waiting'> {
  const ns = env.settings.apinetNamespace;
  const current = await env.apinet.get(res, ns, name);
  if (!current) return 'gone';
  if (current.metadata.deletionTimestamp) return 'waiting';
  try {
    const result = await env.apinet.delete(res, ns, name, { preconditions: { uid: current.metadata.uid }, propagationPolicy: 'Background' });
    return result.state === 'gone' ? 'gone' : 'waiting';
  } catch (err) {
    if (isNotFound(err)) return 'gone';
    throw err;
  }
}

/**
 * R-GEN-06 delete-gone: every apinet object of `res` in ANS whose origin is `kind` in
 * `key.namespace` with name annotation `key.name` (the UID is not compared) is deleted;
 * not-found is ignored. Returns how many deletes were issued.
 */
export async function deleteGoneByOrigin(env: ReconcileEnv, kind: PrimaryKind, res: ResourceInfo, key: ObjectKey): Promise<number> {
  const keys = originKeysOf(kind);
  const list = await env.apinet.list(res, {
    namespace: env.settings.apinetNamespace,
    labelSelector: originNamespaceSelector(kind, key.namespace),
  });
  let deleted = 0;
  for (const item of list.items) {
    if (item.metadata.annotations?.[keys.nameAnnotation] !== key.name || item.metadata.deletionTimestamp) continue;
    try {
      await env.apinet.delete(res, env.settings.apinetNamespace, item.metadata.name!, { propagationPolicy: 'Background' });
      deleted++;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return deleted;
}

/** Status through the `/status` subresource, as a merge patch of the whole new status; only call when it differs. */
export function patchIroncoreStatus<T extends KubeObject = KubeObject>(
  client: KubeClient,
  res: ResourceInfo,
  obj: KubeObject,
  status: Record<string, unknown>,
): Promise<T> {
  return client.mergePatch<T>(res, obj.metadata.namespace, obj.metadata.name!, { status: nullMissing(obj.status, status) }, {
    subresource: res.hasStatus ? 'status' : undefined,
  });
}

/**
 * R-NET-01: `spec.providerID` is written once, by a merge patch guarded by resourceVersion (a
 * concurrent writer makes it fail with a conflict, and the next reconcile reads again).
 */
export function setProviderId<T extends KubeObject = KubeObject>(client: KubeClient, res: ResourceInfo, obj: KubeObject, providerID: string): Promise<T> {
  return client.mergePatch<T>(res, obj.metadata.namespace, obj.metadata.name!, { spec: { providerID } }, { resourceVersion: obj.metadata.resourceVersion });
}

/**
 * A merge patch only sets what it names: top-level status fields present now but absent from the
 * desired status are sent as null so they are removed (e.g. `virtualIP` cleared, R-NIC-01).
 */
function nullMissing(current: unknown, desired: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...desired };
  if (current && typeof current === 'object') {
    for (const k of Object.keys(current)) if (!(k in desired) || desired[k] === undefined) out[k] = null;
  }
  return out;
}
