/**
 * Full resync (ARCHITECTURE.md 6): every key of the six ironcore kinds goes on its queue, so a
 * lost event is repaired within one schedule period. LIST page by page and enqueue as we go:
 * nothing but the current page and the sink's bounded buffer is held.
 */
import { isExcluded } from '../api/filters.ts';
import { ironcore, PRIMARY_KINDS, type PrimaryKind } from '../api/resources.ts';
import type { KubeClient } from '../kube/client.ts';
import type { KubeObject } from '../kube/types.ts';
import type { QueueMessage } from '../queue/message.ts';
import type { Deadline } from './deadline.ts';
import type { EnqueueSink } from './sink.ts';
import { zeroByKind } from './sink.ts';

/**
 * The resync message of a listed object, or undefined when the watch filter (R-GEN-03) or an
 * external manager (R-GEN-04) excludes it. `run` makes every run's messages distinct to SQS
 * deduplication (the 5-minute window would otherwise drop the next run's keys).
 */
export function resyncMessage(kind: PrimaryKind, obj: KubeObject, run: string, watchFilter: string | undefined): QueueMessage | undefined {
  const { namespace, name, uid } = obj.metadata ?? {};
  if (!namespace || !name) return undefined;
  if (isExcluded(obj, watchFilter).excluded) return undefined;
  return { v: 1, kind, namespace, name, source: 'resync', run, ...(uid ? { uid } : {}) };
}

export interface FullResyncResult {
  listed: Record<PrimaryKind, number>;
  excluded: Record<PrimaryKind, number>;
  /** Kinds whose LIST was not finished (deadline or error). */
  incomplete: PrimaryKind[];
  errors: string[];
  stopped: boolean;
}

export async function fullResync(
  deps: { ironcore: KubeClient; sink: EnqueueSink; deadline: Deadline },
  opts: { run: string; watchFilter?: string; pageSize: number; kinds?: readonly PrimaryKind[] },
): Promise<FullResyncResult> {
  const listed = zeroByKind();
  const excluded = zeroByKind();
  const incomplete: PrimaryKind[] = [];
  const errors: string[] = [];
  let stopped = false;
  for (const kind of opts.kinds ?? PRIMARY_KINDS) {
    if (stopped || deps.deadline.expired()) {
      stopped = true;
      incomplete.push(kind);
      continue;
    }
    try {
      for await (const obj of deps.ironcore.listAll(ironcore[kind], { limit: opts.pageSize })) {
        listed[kind]++;
        const msg = resyncMessage(kind, obj, opts.run, opts.watchFilter);
        if (msg) await deps.sink.add(msg);
        else excluded[kind]++;
        // Checked per object (a clock read): breaking out ends the LIST without fetching further pages.
        if (deps.deadline.expired()) {
          stopped = true;
          incomplete.push(kind);
          break;
        }
      }
    } catch (err) {
      incomplete.push(kind);
      errors.push(`full resync: LIST ${kind} of the ironcore cluster failed after ${listed[kind]} object(s): ${(err as Error).message}; check the ironcore kubeconfig and that apinetlet may list ${ironcore[kind].plural}`);
    }
  }
  return { listed, excluded, incomplete, errors, stopped };
}
