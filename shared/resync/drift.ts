/**
 * Drift-only resync (issue 12): kind by kind, LIST the ironcore kind and its apinet projection
 * into an in-memory snapshot, run the same pure cores the reconcilers run over it, and enqueue
 * only the keys whose desired state differs from what was observed, with the reason. Orphans
 * come from the same snapshot (no GET per candidate). The rules stay in the cores: this file
 * only feeds them listed objects instead of read ones.
 *
 * Kinds whose cores need reads the snapshot does not hold (another kind, routing, Prefixes, …)
 * are `not-checked`: every key of them is enqueued, as the full resync does. Correctness first.
 */
import { ApinetIP, ApinetNetwork } from '../api/apinet.ts';
import { finalizerOf, originKeysOf } from '../api/origin.ts';
import { IroncoreNetwork, IroncoreVirtualIP } from '../api/ironcore.ts';
import { ironcore, PRIMARY_KINDS, type PrimaryKind } from '../api/resources.ts';
import type { KubeClient } from '../kube/client.ts';
import type { KubeObject } from '../kube/types.ts';
import { carriesFields as carries } from '../reconcile/core/carries.ts';
import { lifecycleDecision } from '../reconcile/core/common.ts';
import { desiredApinetNetwork, networkPeerNames, networkPrefixRefNames, networkProviderIdPatch, networkStatusPatch } from '../reconcile/core/network.ts';
import { desiredApinetIP, virtualIPStatusPatch } from '../reconcile/core/virtualip.ts';
import type { Deadline } from './deadline.ts';
import { resyncMessage } from './full.ts';
import { isOrphan, orphanCandidate, orphanMessage, PROJECTIONS } from './orphans.ts';
import { zeroByKind, type EnqueueSink } from './sink.ts';

/** Why a key was enqueued by the drift resync. */
export type DriftReason =
  | 'missing-finalizer'
  | 'pending-deletion'
  | 'missing-projection'
  | 'projection-differs'
  | 'provider-id'
  | 'stale-status'
  | 'orphan'
  | 'unparsable'
  /** The kind's core needs reads the snapshot does not hold: every key is enqueued. */
  | 'not-checked';

export interface DriftSettings {
  apinetNamespace: string;
  peeringDisabled: boolean;
}

/** What a kind's drift check gets: the listed ironcore object and the listed projections by name. */
type DriftCheck = (obj: KubeObject, projections: ReadonlyMap<string, KubeObject>, settings: DriftSettings) => DriftReason | undefined;

const checkVirtualIP: DriftCheck = (obj, projections, settings) => {
  const parsed = IroncoreVirtualIP.safeParse(obj);
  if (!parsed.success) return 'unparsable';
  const vip = parsed.data;
  const projection = projections.get(vip.metadata.uid ?? '');
  if (!projection) return 'missing-projection';
  if (!carries(projection, desiredApinetIP({ virtualIP: vip, settings }))) return 'projection-differs';
  const applied = ApinetIP.safeParse(projection);
  if (!applied.success) return 'unparsable';
  return virtualIPStatusPatch(vip, applied.data) ? 'stale-status' : undefined;
};

const checkNetwork: DriftCheck = (obj, projections, settings) => {
  const parsed = IroncoreNetwork.safeParse(obj);
  if (!parsed.success) return 'unparsable';
  const network = parsed.data;
  // Prefix references need ipam Prefixes, which the snapshot does not hold.
  if (networkPrefixRefNames(network).length > 0) return 'not-checked';
  const projection = projections.get(network.metadata.uid ?? '');
  if (!projection) return 'missing-projection';
  const peerApinetNetworks: Record<string, ApinetNetwork | undefined> = {};
  for (const name of networkPeerNames(network)) {
    const peer = projections.get(name);
    const p = peer ? ApinetNetwork.safeParse(peer) : undefined;
    peerApinetNetworks[name] = p?.success ? p.data : undefined;
  }
  const desired = desiredApinetNetwork({ network, peerApinetNetworks, prefixes: {}, settings });
  if (!carries(projection, desired)) return 'projection-differs';
  const applied = ApinetNetwork.safeParse(projection);
  if (!applied.success) return 'unparsable';
  try {
    if (networkProviderIdPatch(network, applied.data)) return 'provider-id';
  } catch {
    return 'provider-id'; // a server-filled field (the VNI) is missing yet: the reconcile waits for it
  }
  return networkStatusPatch(network, applied.data, settings) ? 'stale-status' : undefined;
};

/** The kinds whose cores the snapshot can feed completely (or mostly; see each check). */
const CHECKS: Partial<Record<PrimaryKind, DriftCheck>> = { VirtualIP: checkVirtualIP, Network: checkNetwork };

export interface DriftResyncResult {
  listed: Record<PrimaryKind, number>;
  excluded: Record<PrimaryKind, number>;
  /** Projections listed (apinet), per origin kind. */
  projections: Record<PrimaryKind, number>;
  /** Keys enqueued, per kind and reason. */
  drift: Record<PrimaryKind, Partial<Record<DriftReason, number>>>;
  orphans: Record<PrimaryKind, number>;
  /** A few enqueued keys with their reason, for the log. */
  samples: string[];
  /** Projections still carrying the old origin name label (R-MIG-01): the migration has work. */
  unmigrated: number;
  incomplete: PrimaryKind[];
  errors: string[];
  stopped: boolean;
}

const MAX_SAMPLES = 20;

export async function driftResync(
  deps: { ironcore: KubeClient; apinet: KubeClient; sink: EnqueueSink; deadline: Deadline },
  opts: { run: string; watchFilter?: string; pageSize: number; settings: DriftSettings; kinds?: readonly PrimaryKind[] },
): Promise<DriftResyncResult> {
  const listed = zeroByKind();
  const excluded = zeroByKind();
  const projectionsListed = zeroByKind();
  const orphans = zeroByKind();
  const drift = Object.fromEntries(PRIMARY_KINDS.map((k) => [k, {}])) as DriftResyncResult['drift'];
  const samples: string[] = [];
  const incomplete: PrimaryKind[] = [];
  const errors: string[] = [];
  let stopped = false;
  let unmigrated = 0;
  const note = (kind: PrimaryKind, key: string, reason: DriftReason) => {
    drift[kind][reason] = (drift[kind][reason] ?? 0) + 1;
    if (samples.length < MAX_SAMPLES) samples.push(`${kind} ${key}: ${reason}`);
  };

  for (const kind of opts.kinds ?? PRIMARY_KINDS) {
    if (stopped || deps.deadline.expired()) {
      stopped = true;
      incomplete.push(kind);
      continue;
    }
    const res = PROJECTIONS.find((p) => p.origin === kind)!.res;
    let step = `LIST apinet ${res.kind} in ${opts.settings.apinetNamespace}`;
    try {
      // 1. The projections of this kind, by name (= source UID).
      const projections = new Map<string, KubeObject>();
      for await (const p of deps.apinet.listAll(res, { namespace: opts.settings.apinetNamespace, labelSelector: originKeysOf(kind).uidLabel, limit: opts.pageSize })) {
        projectionsListed[kind]++;
        if (p.metadata?.labels?.[originKeysOf(kind).nameAnnotation] !== undefined) unmigrated++;
        if (p.metadata?.name) projections.set(p.metadata.name, p);
      }
      // 2. The ironcore objects, checked one by one as the pages come; only key → uid is kept.
      step = `LIST ironcore ${kind}`;
      const sources = new Map<string, string>();
      const check = CHECKS[kind];
      const finalizer = finalizerOf(kind);
      for await (const obj of deps.ironcore.listAll(ironcore[kind], { limit: opts.pageSize })) {
        listed[kind]++;
        const { namespace, name, uid } = obj.metadata ?? {};
        if (namespace && name) sources.set(`${namespace}/${name}`, uid ?? '');
        const msg = resyncMessage(kind, obj, opts.run, opts.watchFilter);
        if (!msg) {
          excluded[kind]++;
          continue;
        }
        const reason = driftOf(obj, finalizer, check, projections, opts.settings);
        if (reason) {
          note(kind, `${namespace}/${name}`, reason);
          await deps.sink.add(msg);
        }
        if (deps.deadline.expired()) {
          stopped = true;
          break;
        }
      }
      if (stopped) {
        incomplete.push(kind);
        continue;
      }
      // 3. Orphans: projections whose source key is gone or holds another UID (R-GEN-06).
      for (const p of projections.values()) {
        const c = orphanCandidate(p, kind);
        if (!c) continue;
        const uid = sources.get(`${c.namespace}/${c.name}`);
        if (!isOrphan(c, uid === undefined ? undefined : { metadata: { uid } })) continue;
        orphans[kind]++;
        note(kind, `${c.namespace}/${c.name}`, 'orphan');
        await deps.sink.add(orphanMessage(c, opts.run));
      }
    } catch (err) {
      incomplete.push(kind);
      errors.push(`drift resync: ${step} failed: ${(err as Error).message}; check the kubeconfigs and that apinetlet may list ${ironcore[kind].plural} (ironcore) and ${res.plural} (apinet)`);
    }
  }
  return { listed, excluded, projections: projectionsListed, drift, orphans, samples, unmigrated, incomplete, errors, stopped };
}

function driftOf(
  obj: KubeObject,
  finalizer: string,
  check: DriftCheck | undefined,
  projections: ReadonlyMap<string, KubeObject>,
  settings: DriftSettings,
): DriftReason | undefined {
  switch (lifecycleDecision(obj.metadata ?? {}, finalizer)) {
    case 'ignore':
      return undefined; // R-GEN-02: the reconcile would touch nothing
    case 'delete':
      return 'pending-deletion';
    case 'add-finalizer':
      return 'missing-finalizer';
    case 'reconcile':
      return check ? check(obj, projections, settings) : 'not-checked';
  }
}
