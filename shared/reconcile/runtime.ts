/**
 * The shell every kind's reconciler runs in (ARCHITECTURE.md 3): read the ironcore object, honour
 * the admission-before-persist rule, the watch filter and managed-by (R-GEN-03/04), the finalizer
 * (R-GEN-01/02) and the deletion flow, then hand the live object to the kind. The kinds only
 * supply what differs between them; the steps they share live here once.
 */
import type { z } from 'zod';
import { isExcluded } from '../api/filters.ts';
import { finalizerOf } from '../api/origin.ts';
import { ironcore as ironcoreResources, type PrimaryKind, type ResourceInfo } from '../api/resources.ts';
import { ConflictError, InvalidError, isNotFound, type KubeClient } from '../kube/index.ts';
import type { KubeObject } from '../kube/types.ts';
import { getMetrics, recordApiCalls, type Metrics } from '../log.ts';
import type { ReconcileContext, Reconcile } from '../queue/consumer.ts';
import { messageGroupId, type QueueMessage } from '../queue/message.ts';
import { done, requeue, type ReconcileResult } from '../queue/result.ts';
import { finalizerPatch, lifecycleDecision } from './core/common.ts';
import { ReconcileError } from './core/errors.ts';
import { eventForError, projectionDeleted, type EventSpec } from './core/events.ts';
import { recordEvent, type EventSettings } from './events.ts';

/** Settings of the reconcilers (ARCHITECTURE.md 7). */
export interface ReconcileSettings {
  apinetNamespace: string;
  watchFilter?: string;
  nodeAffinityAware: boolean;
  peeringDisabled: boolean;
}

/** Everything a reconciler talks to; built once per cold start. */
export interface ReconcileEnv {
  ironcore: KubeClient;
  apinet: KubeClient;
  settings: ReconcileSettings;
  now: () => Date;
  /** Kubernetes Events on the ironcore objects (./events.ts); recorded unless disabled. */
  events?: EventSettings;
  /**
   * Per reconcile (runReconcile sets it): Events the kind asks for on the object being reconciled,
   * e.g. ProjectionCreated from applyApinet. Recorded after the kind returns or throws.
   */
  pendingEvents?: EventSpec[];
}

export interface ObjectKey {
  namespace: string;
  name: string;
}

/** What a kind supplies to the shell. */
export interface KindReconciler<T extends KubeObject> {
  kind: PrimaryKind;
  /** Parses the ironcore object as read (tolerates unknown fields). */
  schema: z.ZodType<T>;
  /** The object lives and carries the finalizer: compute and apply. */
  reconcile(obj: T, env: ReconcileEnv, ctx: ReconcileContext): Promise<ReconcileResult>;
  /** The object is being deleted with our finalizer: `gone` once nothing is left to wait for (the shell then removes the finalizer). */
  finalize(obj: T, env: ReconcileEnv, ctx: ReconcileContext): Promise<'gone' | 'waiting'>;
  /** The object no longer exists (or never did): clean up what stems from its key (R-GEN-06, R-NIC-10). */
  gone(key: ObjectKey, env: ReconcileEnv, ctx: ReconcileContext): Promise<void>;
}

/** How often a message whose change is not visible yet is retried before it is taken as it is. */
export const ADMISSION_VISIBILITY_RETRIES = 3;
/** Seconds to wait for an admitted change to become visible. */
const VISIBILITY_RETRY_SECONDS = 1;
/** Seconds between checks while an apinet projection is being deleted. */
const DELETION_WAIT_SECONDS = 2;

/**
 * The queue consumer's reconcile function for a kind. After each reconcile the API calls it made
 * are published as the `apiCalls` metric (per cluster, verb and resource).
 */
export function reconcilerFor<T extends KubeObject>(
  kind: KindReconciler<T>,
  env: ReconcileEnv | (() => ReconcileEnv),
  metrics: Metrics = getMetrics(),
): Reconcile {
  const envOf = typeof env === 'function' ? env : () => env;
  return async (msg, ctx) => {
    const e = envOf();
    const before = { ironcore: e.ironcore.apiCallTotals(), apinet: e.apinet.apiCallTotals() };
    try {
      return await runReconcile(kind, e, msg, ctx);
    } finally {
      recordApiCalls(metrics, 'ironcore', countsSince(before.ironcore, e.ironcore.apiCallTotals()));
      recordApiCalls(metrics, 'apinet', countsSince(before.apinet, e.apinet.apiCallTotals()));
    }
  };
}

function countsSince(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, n]) => [k, n - (before[k] ?? 0)]));
}

export async function runReconcile<T extends KubeObject>(
  kind: KindReconciler<T>,
  env: ReconcileEnv,
  msg: QueueMessage,
  ctx: ReconcileContext,
): Promise<ReconcileResult> {
  const res = ironcoreResources[kind.kind];
  const key: ObjectKey = { namespace: msg.namespace, name: msg.name };
  const keyText = messageGroupId(msg);
  const early = ctx.receiveCount <= ADMISSION_VISIBILITY_RETRIES;
  const { raw, visible } = await readAdmitted(env, res, key, msg, early);

  if (!raw) {
    // Admission sees a CREATE before it is stored: not found yet is not "gone" (ARCHITECTURE.md 2).
    if (!visible) return requeue(`${keyText} admitted for creation but not stored yet`, VISIBILITY_RETRY_SECONDS);
    await kind.gone(key, env, ctx);
    return done();
  }
  if (msg.uid && msg.op === 'DELETE' && raw.metadata.uid !== msg.uid) {
    // The object of the DELETE is gone and a new one took its name: clean up after the old one too.
    await kind.gone(key, env, ctx);
  } else if (msg.op === 'DELETE' && !visible) {
    // Admitted for deletion but the deletionTimestamp is not stored yet; storing it calls no webhook
    // again, so this message must come back to see it.
    return requeue(`${keyText} admitted for deletion but not marked deleted yet`, VISIBILITY_RETRY_SECONDS);
  }

  let obj = parseObject(kind, raw, keyText);
  const exclusion = isExcluded(obj, env.settings.watchFilter);
  if (exclusion.excluded) {
    ctx.logger.debug(`ignored: ${exclusion.reason}`, { detail: exclusion.detail });
    return done();
  }

  const finalizer = finalizerOf(kind.kind);
  const decision = lifecycleDecision(obj.metadata, finalizer);
  const pendingEvents: EventSpec[] = [];
  const e: ReconcileEnv = { ...env, pendingEvents };
  const record = (spec: EventSpec) => recordEvent(env, res, obj, spec, ctx.logger);
  let result: ReconcileResult;
  try {
    switch (decision) {
      case 'ignore': // R-GEN-02: deleted without our finalizer — touch nothing.
        return done();
      case 'delete': {
        const state = await kind.finalize(obj, e, ctx);
        if (state === 'waiting') return requeue(`${keyText} waiting for the apinet projection to be deleted`, DELETION_WAIT_SECONDS);
        // Before the finalizer goes: afterwards the object (and with it `kubectl describe`) is gone.
        await record(projectionDeleted(kind.kind === 'NetworkInterface' ? 'released the apinet NetworkInterface' : `deleted the apinet projection`));
        await patchFinalizer(env.ironcore, res, obj, finalizer, 'remove', keyText);
        return done();
      }
      case 'add-finalizer':
        // R-GEN-01: normally the mutating webhook added it; carry on in the same invocation.
        obj = parseObject(kind, await patchFinalizer(env.ironcore, res, obj, finalizer, 'add', keyText), keyText);
        result = await kind.reconcile(obj, e, ctx);
        break;
      case 'reconcile':
        result = await kind.reconcile(obj, e, ctx);
        break;
    }
  } catch (err) {
    // `kubectl describe` says why: a Warning with the step's reason and the error's message.
    for (const spec of pendingEvents.splice(0)) await record(spec);
    await record(eventForError(err));
    throw err;
  }
  for (const spec of pendingEvents.splice(0)) await record(spec);
  // An admitted UPDATE not visible yet: we reconciled what is stored; look again shortly for the change.
  if (result.outcome === 'done' && msg.op === 'UPDATE' && !visible) {
    return requeue(`${keyText} still at resourceVersion ${msg.resourceVersion}; the admitted update is not stored yet`, VISIBILITY_RETRY_SECONDS);
  }
  return result;
}

/** Pauses before re-reading an admitted change that is not stored yet (ms). */
export const ADMISSION_READ_PAUSES_MS = [50, 150, 300];

/**
 * Reads the object of a message. An admission message describes a change the API server stores
 * only after the webhook answered, usually milliseconds later: re-reading a few times within the
 * invocation is far cheaper than a round through the queue. `visible` is false when, on an early
 * delivery, the admitted change still cannot be seen.
 */
async function readAdmitted(
  env: ReconcileEnv,
  res: ResourceInfo,
  key: ObjectKey,
  msg: QueueMessage,
  early: boolean,
): Promise<{ raw: KubeObject | undefined; visible: boolean }> {
  const stored = (raw: KubeObject | undefined): boolean => {
    switch (msg.op) {
      case 'CREATE':
        return raw !== undefined;
      case 'UPDATE':
        return !raw || !msg.resourceVersion || raw.metadata.resourceVersion !== msg.resourceVersion;
      case 'DELETE':
        return !raw || Boolean(raw.metadata.deletionTimestamp) || Boolean(msg.uid && raw.metadata.uid !== msg.uid);
      default:
        return true;
    }
  };
  let raw = await env.ironcore.get(res, key.namespace, key.name);
  if (!early) return { raw, visible: true };
  for (const pause of ADMISSION_READ_PAUSES_MS) {
    if (stored(raw)) return { raw, visible: true };
    await new Promise((r) => setTimeout(r, pause));
    raw = await env.ironcore.get(res, key.namespace, key.name);
  }
  return { raw, visible: stored(raw) };
}

function parseObject<T extends KubeObject>(kind: KindReconciler<T>, raw: KubeObject, keyText: string): T {
  const parsed = kind.schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ReconcileError(keyText, 'read', `the stored ${kind.kind} does not parse at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, {
      retryable: false,
    });
  }
  return parsed.data;
}

/**
 * Adds or removes our finalizer with a JSON patch guarded by `test` ops, so a concurrent writer
 * makes it fail instead of being overwritten; a lost race is retried by re-reading.
 */
export async function patchFinalizer(
  client: KubeClient,
  res: ResourceInfo,
  obj: KubeObject,
  finalizer: string,
  op: 'add' | 'remove',
  keyText: string,
): Promise<KubeObject> {
  let current: KubeObject | undefined = obj;
  for (let attempt = 0; attempt < 3 && current; attempt++) {
    const ops = finalizerPatch(current.metadata as never, finalizer, op);
    if (!ops) return current;
    try {
      return await client.jsonPatch(res, current.metadata.namespace, current.metadata.name!, ops as never);
    } catch (err) {
      if (isNotFound(err) && op === 'remove') return current;
      if (!(err instanceof ConflictError || err instanceof InvalidError)) throw err;
      current = await client.get(res, current.metadata.namespace, current.metadata.name!);
    }
  }
  if (!current) {
    if (op === 'remove') return obj;
    throw new ReconcileError(keyText, 'finalizer', 'the object disappeared while adding the finalizer');
  }
  throw new ReconcileError(keyText, 'finalizer', `could not ${op} finalizer ${finalizer}: the object kept changing`);
}
