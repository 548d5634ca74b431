import { HTTP } from 'cloudevents';
import type { AdmissionRequest } from '../api/admission.ts';
import type { Change, ChangeType, Cluster } from './change.ts';
import { groupOf, isRecord, sameContent } from './object.ts';

export { sameContent };
import { APINET_GROUP } from '../api/resources.ts';

/**
 * Turns the three accepted inputs of the watch webhook into Changes. Pure except for the
 * cloudevents parser; errors name the input and what is wrong (answered as 400).
 */

/** The cluster an object lives in, by its API group, when the URL does not say. */
export function clusterOfObject(obj: unknown): Cluster {
  return groupOf(obj) === APINET_GROUP ? 'apinet' : 'ironcore';
}

const OPERATION_TYPE: Record<string, ChangeType | undefined> = { CREATE: 'ADDED', UPDATE: 'MODIFIED', DELETE: 'DELETED' };

/** An observe-only AdmissionReview (also `…/status`); dryRun requests change nothing, so none. */
export function changesFromAdmission(req: AdmissionRequest, cluster: Cluster | undefined): Change[] {
  const type = OPERATION_TYPE[req.operation];
  if (!type || req.dryRun) return [];
  const object = req.object ?? req.oldObject;
  if (!object) return [];
  const oldObject = type === 'MODIFIED' && req.oldObject ? req.oldObject : undefined;
  // A write that changes nothing (e.g. apinetlet's own no-op apply) still passes admission;
  // mapping it would only re-trigger the reconcile that made it.
  if (oldObject && sameContent(object, oldObject)) return [];
  return [{ cluster: cluster ?? clusterOfObject(object), type, object, ...(oldObject ? { oldObject } : {}), via: 'admission' }];
}

const CLOUDEVENT_TYPE: Record<string, ChangeType | undefined> = {
  'dev.knative.apiserver.resource.add': 'ADDED',
  'dev.knative.apiserver.resource.update': 'MODIFIED',
  'dev.knative.apiserver.resource.delete': 'DELETED',
};

/** Whether a request carries a CloudEvent (structured: its media type; binary: ce-* headers). */
export function isCloudEvent(headers: Record<string, string>): boolean {
  return (headers['content-type'] ?? '').startsWith('application/cloudevents') || 'ce-specversion' in headers;
}

/**
 * CloudEvents from Knative's ApiServerSource in Resource mode: the data is the object. Other
 * event types (e.g. ref mode) carry no object and are rejected so the source is fixed.
 */
export function changesFromCloudEvent(headers: Record<string, string>, body: string, cluster: Cluster | undefined): Change[] {
  let parsed;
  try {
    parsed = HTTP.toEvent({ headers, body });
  } catch (err) {
    throw new Error(`not a valid CloudEvent: ${(err as Error).message}`);
  }
  const events = Array.isArray(parsed) ? parsed : [parsed];
  return events.map((event) => {
    const type = CLOUDEVENT_TYPE[event.type];
    if (!type) {
      throw new Error(`CloudEvent ${event.id}: type ${event.type} is not dev.knative.apiserver.resource.add|update|delete; run the ApiServerSource in Resource mode`);
    }
    let data: unknown = event.data;
    if (typeof data === 'string') data = JSON.parse(data);
    if (data instanceof Uint8Array) data = JSON.parse(new TextDecoder().decode(data));
    if (!isRecord(data)) throw new Error(`CloudEvent ${event.id}: data is not a Kubernetes object`);
    return { cluster: cluster ?? clusterOfObject(data), type, object: data, via: 'cloudevent' };
  });
}

const WATCH_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED']);

/** Newline-delimited watch events `{type, object}`; BOOKMARK and other types carry no change. */
export function changesFromWatchLines(body: string, cluster: Cluster | undefined): Change[] {
  const changes: Change[] = [];
  body.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch (err) {
      throw new Error(`watch event line ${i + 1}: not JSON: ${(err as Error).message}`);
    }
    if (!isRecord(event) || typeof event.type !== 'string' || !isRecord(event.object)) {
      throw new Error(`watch event line ${i + 1}: expected {"type": "ADDED|MODIFIED|DELETED", "object": {...}}`);
    }
    if (!WATCH_TYPES.has(event.type)) return;
    changes.push({ cluster: cluster ?? clusterOfObject(event.object), type: event.type as ChangeType, object: event.object, via: 'watch' });
  });
  return changes;
}

