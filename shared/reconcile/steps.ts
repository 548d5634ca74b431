/**
 * I/O steps several kinds share (STYLE.md: no copy-paste between kinds). Each step is small and
 * does one thing against one cluster; the decisions stay in the pure cores.
 */
import { APINETLET_FIELD_MANAGER, originKeysOf, originNamespaceSelector } from '../api/origin.ts';
import { ironcore as ironcoreResources, type PrimaryKind, type ResourceInfo } from '../api/resources.ts';
import { isNotFound, type KubeClient } from '../kube/index.ts';
import type { KubeObject } from '../kube/types.ts';
import type { ObjectKey, ReconcileEnv } from './runtime.ts';
import type { z } from 'zod';
import { ReconcileError, type ReconcileStep } from './core/errors.ts';

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

/**
 * Runs one I/O step so that a failure names the ironcore object key and the step (STYLE.md); the
 * original error stays the cause. ReconcileErrors pass through unchanged.
 */
export async function atStep<T>(key: string, step: ReconcileStep, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw stepError(key, step, what, err);
  }
}

/** The error {@link atStep} throws: a ReconcileError naming key and step, the original as cause. */
export function stepError(key: string, step: ReconcileStep, what: string, err: unknown): ReconcileError {
  if (err instanceof ReconcileError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new ReconcileError(key, step, `${what} failed: ${reason}`, { cause: err });
}

/** Parses an object a server returned; a mismatch is a non-retryable error naming key, step and field. */
export function parseAs<T>(schema: z.ZodType<T>, obj: unknown, key: string, step: ReconcileStep, what: string): T {
  const parsed = schema.safeParse(obj);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ReconcileError(key, step, `${what} does not parse at ${issue?.path.join('.') || '(root)'}: ${issue?.message}; check the CRD versions of both clusters`, {
    retryable: false,
  });
}

/**
 * R-GEN-06 (NET-02 for Networks) when the key may have been reused: deletes the projections of
 * `res` whose origin is `kind` + `key` (namespace label, name annotation) EXCEPT those of the
 * ironcore object living under that key now (uid label = its uid). Plain delete-gone would also
 * delete the live object's projection when a DELETE and a re-create share the name, and e.g. a
 * recreated apinet Network gets a new VNI while the once-written providerID (R-NET-01) keeps the old.
 * Returns how many deletes were issued.
 */
export async function deleteStaleByOrigin(env: ReconcileEnv, kind: PrimaryKind, res: ResourceInfo, key: ObjectKey): Promise<number> {
  const keys = originKeysOf(kind);
  const live = await env.ironcore.get(ironcoreResources[kind], key.namespace, key.name);
  const liveUid = live?.metadata.uid;
  const list = await env.apinet.list(res, {
    namespace: env.settings.apinetNamespace,
    labelSelector: originNamespaceSelector(kind, key.namespace),
  });
  let deleted = 0;
  for (const item of list.items) {
    const meta = item.metadata;
    if (meta.annotations?.[keys.nameAnnotation] !== key.name || meta.deletionTimestamp) continue;
    if (liveUid && meta.labels?.[keys.uidLabel] === liveUid) continue;
    try {
      await env.apinet.delete(res, env.settings.apinetNamespace, meta.name!, { preconditions: { uid: meta.uid }, propagationPolicy: 'Background' });
      deleted++;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return deleted;
}

/**
 * An object as read from a cluster: the zod type of its kind AND a KubeObject. The zod metadata
 * admits `null` (Go nil) where KubeObjectMeta does not, so the parsed type alone does not satisfy
 * `KindReconciler<T extends KubeObject>`; objects a server returns are KubeObjects either way.
 */
export type Stored<T> = T & KubeObject;

/** The kind's schema typed as producing {@link Stored} objects (a type-level view; parsing is unchanged). */
export function storedSchema<T>(schema: z.ZodType<T>): z.ZodType<Stored<T>> {
  return schema as unknown as z.ZodType<Stored<T>>;
}
