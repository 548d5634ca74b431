/**
 * Kubernetes Events on the ironcore object (pure): which Event a failure or a transition is, the
 * Event's deterministic name, the body of a first occurrence and the patch that counts a repeat.
 *
 * Deduplicated like client-go's recorder (EventCorrelator): an Event identical to an earlier one
 * (same object, type, reason and message) is that Event again, its `count` and `lastTimestamp`
 * move. client-go finds it in an in-memory cache; a stateless function cannot, so the name is a
 * hash of exactly what client-go compares: the same occurrence always names the same Event.
 */
import { createHash } from 'node:crypto';
import { KubeApiError } from '../../kube/errors.ts';
import type { KubeObject } from '../../kube/types.ts';
import { ReconcileError, UntranslatableSpecError } from './errors.ts';

/** `source.component` / `reportingComponent` of every Event apinetlet writes (`kubectl describe`'s "From"). */
export const EVENT_COMPONENT = 'apinetlet';
/** Longest message kept (client-go's recorder truncates at the events.k8s.io note limit too). */
export const EVENT_MESSAGE_LIMIT = 1024;

export interface EventSpec {
  type: 'Normal' | 'Warning';
  /** UpperCamelCase, e.g. `ApplyFailed`. */
  reason: string;
  message: string;
}

/** The object an Event is about (core/v1 `involvedObject`). */
export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid: string;
  resourceVersion?: string;
}

// ---- transitions (Normal) ------------------------------------------------------------------

export const projectionCreated = (what: string): EventSpec => ({ type: 'Normal', reason: 'ProjectionCreated', message: `created ${what}` });
export const providerIdSet = (providerID: string): EventSpec => ({ type: 'Normal', reason: 'ProviderIDSet', message: `set spec.providerID to ${providerID}` });
export const projectionDeleted = (what: string): EventSpec => ({ type: 'Normal', reason: 'ProjectionDeleted', message: `${what}; removing the finalizer` });
export const networkInterfaceClaimed = (what: string): EventSpec => ({ type: 'Normal', reason: 'Claimed', message: `claimed ${what}` });

// ---- conditions that are not thrown errors (Warning) -----------------------------------------

/** `kubectl describe` shows the object already: a leading `<namespace>/<name>: ` of a log message is dropped. */
const withoutKey = (key: string, message: string): string => (message.startsWith(`${key}: `) ? message.slice(key.length + 2) : message);

export const networkNotFound = (key: string, message: string): EventSpec => ({ type: 'Warning', reason: 'NetworkNotFound', message: withoutKey(key, message) });
export const notClaimable = (message: string): EventSpec => ({ type: 'Warning', reason: 'NotClaimable', message });

const STEP_REASONS: Record<string, string> = {
  read: 'ReadFailed',
  finalizer: 'FinalizerFailed',
  desired: 'InvalidSpec',
  apply: 'ApplyFailed',
  'provider-id': 'ProviderIDFailed',
  status: 'StatusFailed',
  delete: 'DeleteFailed',
  release: 'ReleaseFailed',
};

/**
 * The Warning a failed reconcile records: the reason from the step that failed (403 → Forbidden),
 * the message the error carries — which names the key, the step and the server's answer (an apply
 * rejected shows the server's Status message).
 */
export function eventForError(err: unknown): EventSpec {
  if (err instanceof UntranslatableSpecError) return { type: 'Warning', reason: 'InvalidSpec', message: err.message };
  if (err instanceof ReconcileError) {
    const reason = err.cause instanceof KubeApiError && err.cause.code === 403 ? 'Forbidden' : (STEP_REASONS[err.step] ?? 'ReconcileFailed');
    return { type: 'Warning', reason, message: err.message };
  }
  if (err instanceof KubeApiError) return { type: 'Warning', reason: err.code === 403 ? 'Forbidden' : 'ReconcileFailed', message: err.message };
  return { type: 'Warning', reason: 'ReconcileFailed', message: err instanceof Error ? err.message : String(err) };
}

const clip = (message: string): string => (message.length > EVENT_MESSAGE_LIMIT ? `${message.slice(0, EVENT_MESSAGE_LIMIT - 1)}…` : message);

/**
 * `<object name>.<16 hex of sha256(uid, type, reason, message)>`: one occurrence, one name. The
 * object name keeps `kubectl get events` readable; it is cut so the name stays ≤ 253 characters.
 */
export function eventName(involved: Pick<InvolvedObject, 'name' | 'uid'>, spec: EventSpec): string {
  const hash = createHash('sha256').update([involved.uid, spec.type, spec.reason, clip(spec.message)].join('\0')).digest('hex').slice(0, 16);
  return `${involved.name.slice(0, 253 - 17).replace(/[.-]+$/, '')}.${hash}`;
}

/** RFC 3339 in seconds, as core/v1 `firstTimestamp`/`lastTimestamp` are stored. */
const seconds = (now: Date): string => now.toISOString().replace(/\.\d+Z$/, 'Z');

/** The core/v1 Event of a first occurrence (legacy shape: no eventTime, so kubectl's AGE uses lastTimestamp). */
export function newEvent(involved: InvolvedObject, spec: EventSpec, now: Date): KubeObject {
  const at = seconds(now);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { namespace: involved.namespace ?? 'default', name: eventName(involved, spec) },
    involvedObject: { ...involved },
    type: spec.type,
    reason: spec.reason,
    message: clip(spec.message),
    source: { component: EVENT_COMPONENT },
    reportingComponent: EVENT_COMPONENT,
    reportingInstance: EVENT_COMPONENT,
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  };
}

/** The merge patch that counts one more occurrence of a stored Event (client-go patches count and lastTimestamp too). */
export function repeatPatch(existing: KubeObject, now: Date): Record<string, unknown> {
  const count = typeof existing.count === 'number' && existing.count > 0 ? existing.count : 1;
  return { count: count + 1, lastTimestamp: seconds(now) };
}

/** The newest Warning apinetlet recorded on an object: what `npm run redrive` shows as a key's last error. */
export interface LastWarning {
  reason: string;
  message: string;
  count: number;
  /** RFC 3339, the Event's lastTimestamp. */
  at?: string;
}

/**
 * From the Events of one object, the newest Warning written by apinetlet (`source.component`),
 * by lastTimestamp (ties: the higher count). Events of other writers and Normal Events are ignored.
 */
export function latestWarning(events: readonly KubeObject[]): LastWarning | undefined {
  let best: LastWarning | undefined;
  for (const e of events) {
    if (e.type !== 'Warning' || (e.source as { component?: string } | undefined)?.component !== EVENT_COMPONENT) continue;
    const at = typeof e.lastTimestamp === 'string' ? e.lastTimestamp : typeof e.firstTimestamp === 'string' ? e.firstTimestamp : undefined;
    const count = typeof e.count === 'number' && e.count > 0 ? e.count : 1;
    const candidate: LastWarning = { reason: String(e.reason ?? ''), message: String(e.message ?? ''), count, ...(at ? { at } : {}) };
    const newer = !best || (at ?? '') > (best.at ?? '') || ((at ?? '') === (best.at ?? '') && count > best.count);
    if (newer) best = candidate;
  }
  return best;
}
