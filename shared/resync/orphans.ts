/**
 * Orphan sweep (ARCHITECTURE.md 6, R-GEN-06): apinet projections whose ironcore source is gone.
 * Their origin key is enqueued; the kind's reconcile finds the source missing and deletes (or,
 * for a NetworkInterface, releases) the projection. Page by page, one bounded batch of GETs per
 * page, so memory stays flat.
 */
import { hasCompleteOrigin, originKeysOf, type OriginKey } from '../api/origin.ts';
import { apinet, ironcore, type PrimaryKind, type ResourceInfo } from '../api/resources.ts';
import type { KubeClient } from '../kube/client.ts';
import type { KubeObject } from '../kube/types.ts';
import type { QueueMessage } from '../queue/message.ts';
import type { Deadline } from './deadline.ts';
import { forEachBounded } from './pool.ts';
import { zeroByKind, type EnqueueSink } from './sink.ts';

/** Each apinet projection kind and the origin it carries (behavior.md 2.2; VirtualIP → apinet IP). */
export const PROJECTIONS: readonly { readonly origin: PrimaryKind; readonly res: ResourceInfo }[] = [
  { origin: 'Network', res: apinet.Network },
  { origin: 'LoadBalancer', res: apinet.LoadBalancer },
  { origin: 'NATGateway', res: apinet.NATGateway },
  { origin: 'NetworkPolicy', res: apinet.NetworkPolicy },
  { origin: 'VirtualIP', res: apinet.IP },
  { origin: 'NetworkInterface', res: apinet.NetworkInterface },
];

/**
 * The origin key of an apinet object for `kind`, when all three origin keys are present with a
 * usable namespace and name and the object is not already being deleted.
 */
export function orphanCandidate(obj: KubeObject, kind: PrimaryKind): OriginKey | undefined {
  if (obj.metadata?.deletionTimestamp || !hasCompleteOrigin(obj, kind)) return undefined;
  const keys = originKeysOf(kind);
  const namespace = obj.metadata.labels?.[keys.namespaceLabel] ?? '';
  const name = obj.metadata.annotations?.[keys.nameAnnotation] ?? '';
  const uid = obj.metadata.labels?.[keys.uidLabel] ?? '';
  return namespace && name ? { kind, namespace, name, uid } : undefined;
}

/**
 * Whether the projection's source is gone: no ironcore object under that key, or one with another
 * UID (deleted and recreated under the same name — the projection belongs to the old one).
 */
export function isOrphan(candidate: OriginKey, source: KubeObject | undefined): boolean {
  if (!source) return true;
  return candidate.uid !== '' && source.metadata?.uid !== candidate.uid;
}

/**
 * The message of an orphan: op DELETE with the old UID, which the reconcile runtime reads as
 * "that object is gone" even when a new object took its name (it then cleans up both).
 */
export function orphanMessage(candidate: OriginKey, run: string): QueueMessage {
  return {
    v: 1,
    kind: candidate.kind,
    namespace: candidate.namespace,
    name: candidate.name,
    source: 'resync',
    op: 'DELETE',
    run,
    ...(candidate.uid ? { uid: candidate.uid } : {}),
  };
}

export interface OrphanSweepResult {
  checked: Record<PrimaryKind, number>;
  orphans: Record<PrimaryKind, number>;
  incomplete: PrimaryKind[];
  errors: string[];
  stopped: boolean;
}

export async function sweepOrphans(
  deps: { ironcore: KubeClient; apinet: KubeClient; sink: EnqueueSink; deadline: Deadline },
  opts: { run: string; apinetNamespace: string; pageSize: number; getConcurrency?: number },
): Promise<OrphanSweepResult> {
  const checked = zeroByKind();
  const orphans = zeroByKind();
  const incomplete: PrimaryKind[] = [];
  const errors: string[] = [];
  let stopped = false;
  for (const { origin, res } of PROJECTIONS) {
    if (stopped || deps.deadline.expired()) {
      stopped = true;
      incomplete.push(origin);
      continue;
    }
    let step = `LIST apinet ${res.kind} in ${opts.apinetNamespace}`;
    try {
      let cont: string | undefined;
      do {
        step = `LIST apinet ${res.kind} in ${opts.apinetNamespace}`;
        const page = await deps.apinet.list(res, {
          namespace: opts.apinetNamespace,
          labelSelector: originKeysOf(origin).uidLabel,
          limit: opts.pageSize,
          continue: cont,
        });
        cont = page.metadata?.continue || undefined;
        const candidates = (page.items ?? []).map((o) => orphanCandidate(o, origin)).filter((c): c is OriginKey => c !== undefined);
        step = `GET ironcore ${origin} sources`;
        await forEachBounded(candidates, opts.getConcurrency ?? 8, async (c) => {
          const source = await deps.ironcore.get(ironcore[origin], c.namespace, c.name);
          checked[origin]++;
          if (!isOrphan(c, source)) return;
          orphans[origin]++;
          await deps.sink.add(orphanMessage(c, opts.run));
        });
        if (cont && deps.deadline.expired()) {
          stopped = true;
          incomplete.push(origin);
          break;
        }
      } while (cont);
    } catch (err) {
      incomplete.push(origin);
      errors.push(`orphan sweep: ${step} failed: ${(err as Error).message}; check the kubeconfigs and that apinetlet may list ${res.plural} (apinet) and get ${ironcore[origin].plural} (ironcore)`);
    }
  }
  return { checked, orphans, incomplete, errors, stopped };
}
