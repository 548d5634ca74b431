/**
 * Records Kubernetes Events (core/v1, what `kubectl describe` lists under "Events:") on ironcore
 * objects: the effectful half of ./core/events.ts. The first occurrence creates the Event, a
 * repeat (same object, type, reason, message → same name) reads it and patches `count` and
 * `lastTimestamp`, guarded by its resourceVersion so two concurrent repeats both count.
 *
 * Recording never fails a reconcile: every error goes to `env.events.onError` (default: a
 * warning log line) and is swallowed. RBAC: `events` get, create, patch in the ironcore cluster
 * (infra/kubernetes/ironcore/rbac.yaml).
 */
import { apiVersionOf, core, type ResourceInfo } from '../api/resources.ts';
import { AlreadyExistsError, ConflictError, type KubeClient } from '../kube/index.ts';
import type { KubeObject } from '../kube/types.ts';
import type { Logger } from '@aws-lambda-powertools/logger';
import { getLogger } from '../log.ts';
import { eventName, latestWarning, newEvent, repeatPatch, type EventSpec, type InvolvedObject, type LastWarning } from './core/events.ts';

/** How a reconciler records Events; part of the ReconcileEnv. */
export interface EventSettings {
  /** No Events at all. */
  disabled?: boolean;
  /** Called with every failure to record an Event (default: a warning log line). */
  onError?: (err: unknown, spec: EventSpec) => void;
}

export interface EventEnv {
  ironcore: KubeClient;
  now: () => Date;
  events?: EventSettings;
}

export function involvedObjectOf(res: ResourceInfo, obj: KubeObject): InvolvedObject {
  return {
    apiVersion: apiVersionOf(res),
    kind: res.kind,
    namespace: obj.metadata.namespace,
    name: obj.metadata.name!,
    uid: obj.metadata.uid!,
    resourceVersion: obj.metadata.resourceVersion,
  };
}

/** Records `spec` on the ironcore object `obj` of `res`; never throws. */
export async function recordEvent(env: EventEnv, res: ResourceInfo, obj: KubeObject, spec: EventSpec, logger: Pick<Logger, 'warn'> = getLogger()): Promise<void> {
  if (env.events?.disabled || !obj.metadata.uid || !obj.metadata.name) return;
  try {
    await writeEvent(env.ironcore, involvedObjectOf(res, obj), spec, env.now());
  } catch (err) {
    try {
      if (env.events?.onError) env.events.onError(err, spec);
      else {
        logger.warn(`could not record Event ${spec.reason} on ${res.kind} ${obj.metadata.namespace}/${obj.metadata.name}`, {
          error: err instanceof Error ? err.message : String(err),
        });
      }
    } catch {
      // a failing error handler must not fail the reconcile either
    }
  }
}

async function writeEvent(client: KubeClient, involved: InvolvedObject, spec: EventSpec, now: Date): Promise<void> {
  const namespace = involved.namespace ?? 'default';
  const name = eventName(involved, spec);
  for (let attempt = 0; ; attempt++) {
    const existing = await client.get(core.Event, namespace, name);
    try {
      if (!existing) await client.create(core.Event, newEvent(involved, spec, now));
      else await client.mergePatch(core.Event, namespace, name, repeatPatch(existing, now), { resourceVersion: existing.metadata.resourceVersion });
      return;
    } catch (err) {
      // Another invocation wrote it in between: read again and count on top of it.
      if (attempt < 2 && (err instanceof AlreadyExistsError || err instanceof ConflictError)) continue;
      throw err;
    }
  }
}

/**
 * The newest Warning apinetlet recorded on the ironcore object `<namespace>/<name>` of `kind`
 * (one LIST of its Events by field selector; needs `list events`). With `uid`, only Events of
 * that incarnation of the object count.
 */
export async function lastWarningOf(client: KubeClient, kind: string, key: { namespace: string; name: string; uid?: string }): Promise<LastWarning | undefined> {
  const fields = [`involvedObject.kind=${kind}`, `involvedObject.name=${key.name}`, 'type=Warning', ...(key.uid ? [`involvedObject.uid=${key.uid}`] : [])];
  const list = await client.list(core.Event, { namespace: key.namespace, fieldSelector: fields.join(',') });
  return latestWarning(list.items);
}
