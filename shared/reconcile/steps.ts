/**
 * I/O steps several kinds share (STYLE.md: no copy-paste between kinds). Each step is small and
 * does one thing against one cluster; the decisions stay in the pure cores.
 */
import { APINETLET_FIELD_MANAGER, originKeysOf, originNamespaceSelector } from '../api/origin.ts';
import { ironcore as ironcoreResources, type PrimaryKind, type ResourceInfo } from '../api/resources.ts';
import { InvalidError, isNotFound, type KubeClient } from '../kube/index.ts';
import type { KubeObject } from '../kube/types.ts';
import type { ObjectKey, ReconcileEnv } from './runtime.ts';
import type { z } from 'zod';
import type { ReconcileContext } from '../queue/consumer.ts';
import { ReconcileError, objectKey, type ReconcileStep } from './core/errors.ts';
import { applyWouldChangeNothing } from './core/apply-noop.ts';
import { deletionStep, goneProjections } from './core/common.ts';
import { projectionCreated } from './core/events.ts';

/**
 * R-GEN-07: server-side apply with force under our field manager (or the one given) — skipped
 * when the object as read already carries exactly that body under that manager (a no-op
 * reconcile then costs one read and no write; see core/apply-noop.ts).
 */
export async function applyApinet<T extends KubeObject = KubeObject>(
  env: ReconcileEnv,
  res: ResourceInfo,
  desired: KubeObject,
  fieldManager = APINETLET_FIELD_MANAGER,
  /** Adapts the body to the stored object (e.g. an immutable field kept as stored) before the no-op check and the apply. */
  adapt?: (body: KubeObject, stored: T) => KubeObject,
): Promise<T> {
  let body = desired;
  const { name, namespace } = body.metadata ?? {};
  if (name && namespace) {
    const current = await env.apinet.get<T>(res, namespace, name);
    if (current && adapt) body = adapt(body, current);
    if (current && applyWouldChangeNothing(current, body as Record<string, unknown>, fieldManager)) return current;
  }
  const { object, created } = await env.apinet.applyReporting<T>(res, body, { fieldManager, force: true });
  // The apply created it (201): a transition `kubectl describe` shows on the ironcore object.
  if (created) env.pendingEvents?.push(projectionCreated(`apinet ${res.kind} ${body.metadata.namespace ?? ''}/${body.metadata.name}`.replace(' /', ' ')));
  return object;
}

/**
 * Deletion that waits (R-NET-11, R-LB-08, R-NATGW-04, R-VIP-03): issue the delete while the
 * apinet object can still be read; `gone` only once the server says it no longer exists.
 */
export async function deleteApinetAndWait(env: ReconcileEnv, res: ResourceInfo, name: string): Promise<'gone' | 'waiting'> {
  const ns = env.settings.apinetNamespace;
  const current = await env.apinet.get(res, ns, name);
  if (deletionStep(current !== undefined) === 'remove-finalizer') return 'gone';
  if (current!.metadata.deletionTimestamp) return 'waiting';
  try {
    const result = await env.apinet.delete(res, ns, name, { preconditions: { uid: current!.metadata.uid }, propagationPolicy: 'Background' });
    return result.state === 'gone' ? 'gone' : 'waiting';
  } catch (err) {
    if (isNotFound(err)) return 'gone';
    throw err;
  }
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
 * R-GEN-06 delete-gone (NET-02 for Networks), safe when the key has been reused: deletes the
 * apinet objects of `res` in ANS whose origin is `kind` + `key` (namespace label, name
 * annotation; not-found ignored) EXCEPT those of the
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
  for (const item of goneProjections(list.items, kind, key.namespace, key.name)) {
    const meta = item.metadata;
    if (meta.deletionTimestamp) continue;
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
 * `finalize` of a kind projected onto the one apinet object `ANS/<uid>` (R-NET-11, R-LB-08,
 * R-NATGW-04, R-VIP-03): delete it and wait until the server says it is gone.
 */
export function finalizeApinetByUid(res: ResourceInfo) {
  return (obj: KubeObject, env: ReconcileEnv): Promise<'gone' | 'waiting'> =>
    atStep(objectKey(obj.metadata), 'delete', `deleting apinet ${res.kind} ${env.settings.apinetNamespace}/${obj.metadata.uid}`, () =>
      deleteApinetAndWait(env, res, obj.metadata.uid!),
    );
}

/** `gone` of a kind (R-GEN-06): the apinet objects of `res` whose origin names the gone key, see {@link deleteStaleByOrigin}. */
export function deleteApinetOfGone(kind: PrimaryKind, res: ResourceInfo) {
  return async (key: ObjectKey, env: ReconcileEnv, ctx: ReconcileContext): Promise<void> => {
    const deleted = await atStep(`${key.namespace}/${key.name}`, 'delete', `deleting apinet ${res.plural} of a gone ${kind}`, () =>
      deleteStaleByOrigin(env, kind, res, key),
    );
    if (deleted) ctx.logger.info(`deleted ${deleted} apinet ${res.kind}(s) of a gone ${kind}`);
  };
}

/**
 * Whether an apply was refused because it would change the immutable `spec.<field>` (422 with a
 * cause on that field, or the message naming it when the server gives no causes).
 */
export function isImmutableFieldError(err: unknown, field: string): boolean {
  if (!(err instanceof InvalidError)) return false;
  const path = `spec.${field}`;
  if (err.causes.some((c) => c.field === path && /immutable/.test(c.message ?? ''))) return true;
  return new RegExp(`${path.replace('.', '\\.')}: Invalid value: .*field is immutable`).test(err.statusMessage);
}

/**
 * Ownership handover from the Go apinetlet (R-MIG, README "Replacing the Go apinetlet"). The Go
 * apinetlet v0.3.0 applies under the same field manager as this project, and for a Network with
 * peerings re-applies the whole object it read, so that manager's Apply entry also owns the
 * server-assigned `spec.id`. Our apply omits it, so server-side apply would remove it ("field is
 * immutable"). This drops those fields from our manager's Apply entry (guarded by the object's
 * resourceVersion), leaving them owned by nobody, as on an object this project created.
 * Returns whether anything was dropped.
 */
export async function disownApplyFields(client: KubeClient, res: ResourceInfo, stored: KubeObject, fields: string[][], fieldManager = APINETLET_FIELD_MANAGER): Promise<boolean> {
  const entries = (stored.metadata.managedFields ?? []) as Array<{ manager?: string; operation?: string; subresource?: string; fieldsV1?: Record<string, unknown> }>;
  const index = entries.findIndex((m) => m.manager === fieldManager && m.operation === 'Apply' && !m.subresource);
  if (index < 0) return false;
  const fieldsV1 = structuredClone(entries[index]!.fieldsV1 ?? {});
  let dropped = false;
  for (const path of fields) {
    let node: Record<string, unknown> | undefined = fieldsV1;
    for (const step of path.slice(0, -1)) node = node?.[`f:${step}`] as Record<string, unknown> | undefined;
    const leaf = `f:${path[path.length - 1]}`;
    if (node && leaf in node) {
      delete node[leaf];
      dropped = true;
    }
  }
  if (!dropped) return false;
  await client.jsonPatch(res, stored.metadata.namespace, stored.metadata.name!, [
    { op: 'test', path: '/metadata/resourceVersion', value: stored.metadata.resourceVersion },
    { op: 'replace', path: `/metadata/managedFields/${index}/fieldsV1`, value: fieldsV1 },
  ] as never);
  return true;
}
