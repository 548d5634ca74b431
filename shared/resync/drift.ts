/**
 * Drift-only resync (issue 12): kind by kind, LIST the ironcore kind, its apinet projection and
 * whatever else that kind's core reads (snapshot.ts: one paged LIST per resource and cluster per
 * run, loaded when first asked for, dropped after its last kind), run the same pure cores the
 * reconcilers run over it, and enqueue only the keys whose desired state differs from what was
 * observed, with the reason. Orphans come from the same snapshot (no GET per candidate). The
 * rules stay in the cores: this file only feeds them listed objects instead of read ones, and
 * compares what they would write with what is stored (`carriesFields`, status and provider-ID
 * patches, finalizers).
 *
 * A core that throws (an unknown type, a missing server-filled field) gets its key enqueued: the
 * reconcile reports it as it does today. Correctness first.
 */
import {
  ApinetIP,
  ApinetLoadBalancer,
  ApinetNATGateway,
  ApinetNetwork,
  ApinetNetworkInterface,
  ApinetNetworkPolicy,
} from '../api/apinet.ts';
import { finalizerOf, originKeysOf } from '../api/origin.ts';
import {
  IroncoreLoadBalancer,
  IroncoreLoadBalancerRouting,
  IroncoreNATGateway,
  IroncoreNetwork,
  IroncoreNetworkInterface,
  IroncoreNetworkPolicy,
  IroncorePrefix,
  IroncoreVirtualIP,
} from '../api/ironcore.ts';
import { apinet, ironcore, PRIMARY_KINDS, type PrimaryKind } from '../api/resources.ts';
import type { KubeClient } from '../kube/client.ts';
import type { KubeObject } from '../kube/types.ts';
import { carriesFields as carries } from '../reconcile/core/carries.ts';
import { lifecycleDecision } from '../reconcile/core/common.ts';
import { desiredApinetLoadBalancerRouting, loadBalancerPlan, loadBalancerReads, loadBalancerStatusPatch } from '../reconcile/core/loadbalancer.ts';
import { desiredApinetNATGatewayAutoscaler, natGatewayPlan, natGatewayReads, natGatewayStatusPatch } from '../reconcile/core/natgateway.ts';
import { desiredApinetNetwork, networkPeerNames, networkPrefixRefNames, networkProviderIdPatch, networkStatusPatch } from '../reconcile/core/network.ts';
import { networkInterfacePrefixReads, planNetworkInterface } from '../reconcile/core/networkinterface.ts';
import { apinetNetworkInterfaceReads, apinetNetworkInterfacesThatMatter, findWantedApinetNetworkInterface } from '../reconcile/core/networkinterface-reads.ts';
import { desiredApinetNetworkPolicyRule, planNetworkPolicy } from '../reconcile/core/networkpolicy.ts';
import { desiredApinetIP, virtualIPStatusPatch } from '../reconcile/core/virtualip.ts';
import type { Deadline } from './deadline.ts';
import { resyncMessage } from './full.ts';
import { isOrphan, orphanCandidate, orphanMessage, PROJECTIONS } from './orphans.ts';
import { zeroByKind, type EnqueueSink } from './sink.ts';
import { Snapshot, type Listed, type Source } from './snapshot.ts';

/** Why a key was enqueued by the drift resync. */
export type DriftReason =
  | 'missing-finalizer'
  | 'pending-deletion'
  | 'missing-projection'
  | 'projection-differs'
  /** A second apinet object the kind applies (LB routing, NAT autoscaler, NetworkPolicyRule) is missing or differs. */
  | 'owned-differs'
  | 'provider-id'
  | 'stale-status'
  /** The server has not filled a field the reconcile waits for (an LB's public address). */
  | 'waiting-for-server'
  /** The core throws on this object (e.g. R-LB-09, R-NP-06): the reconcile reports it. */
  | 'core-error'
  | 'orphan'
  | 'unparsable'
  /** The kind's core needs reads the snapshot does not hold: every key is enqueued. */
  | 'not-checked';

export interface DriftSettings {
  apinetNamespace: string;
  peeringDisabled: boolean;
  /** APINETLET_NODE_AFFINITY_AWARE (R-LB-07); default false. */
  nodeAffinityAware?: boolean;
}

interface CheckContext {
  /** The kind's apinet projections by name (= source UID). */
  readonly projections: ReadonlyMap<string, KubeObject>;
  readonly snapshot: Snapshot;
  readonly settings: DriftSettings;
}

/** What a kind's drift check gets: the listed ironcore object, its listed projections and the snapshot. */
type DriftCheck = (obj: KubeObject, ctx: CheckContext) => Promise<DriftReason | undefined>;

// ---- the snapshot's sources ----------------------------------------------------------------

const ironcoreList = (res: (typeof ironcore)[keyof typeof ironcore]): Source => ({ cluster: 'ironcore', res });
const IC_NETWORKS = ironcoreList(ironcore.Network);
const IC_VIRTUAL_IPS = ironcoreList(ironcore.VirtualIP);
const IC_PREFIXES = ironcoreList(ironcore.Prefix);
const IC_LB_ROUTINGS = ironcoreList(ironcore.LoadBalancerRouting);

/**
 * The projections of a kind in ANS. By the uid label, as before; apinet LoadBalancers and NICs
 * unfiltered, because a NetworkPolicy's selectors and a NIC's provider ID may pick one that is not
 * a projection (the projections are then those carrying the uid label).
 */
export function projectionSource(kind: PrimaryKind, ans: string): Source {
  const res = PROJECTIONS.find((p) => p.origin === kind)!.res;
  const unfiltered = kind === 'LoadBalancer' || kind === 'NetworkInterface';
  return { cluster: 'apinet', res, namespace: ans, ...(unfiltered ? {} : { labelSelector: originKeysOf(kind).uidLabel }) };
}

export const apinetList = (res: (typeof apinet)[keyof typeof apinet], ans: string): Source => ({ cluster: 'apinet', res, namespace: ans });

/** Besides its own ironcore list and projections: what each kind's check may read. */
function supportSources(kind: PrimaryKind, ans: string): Source[] {
  switch (kind) {
    case 'Network':
      return [IC_PREFIXES];
    case 'LoadBalancer':
      return [IC_NETWORKS, IC_LB_ROUTINGS, IC_PREFIXES, apinetList(apinet.LoadBalancerRouting, ans)];
    case 'NATGateway':
      return [IC_NETWORKS, apinetList(apinet.NATGatewayAutoscaler, ans)];
    case 'NetworkPolicy':
      return [IC_NETWORKS, projectionSource('Network', ans), projectionSource('NetworkInterface', ans), projectionSource('LoadBalancer', ans), apinetList(apinet.NetworkPolicyRule, ans)];
    case 'VirtualIP':
      return [];
    case 'NetworkInterface':
      return [IC_VIRTUAL_IPS, IC_PREFIXES];
  }
}

const sourcesOf = (kind: PrimaryKind, ans: string): Source[] => [ironcoreList(ironcore[kind]), projectionSource(kind, ans), ...supportSources(kind, ans)];

/** Parses one listed object; undefined when absent or unparsable. */
function parsedOr<T>(schema: { safeParse(o: unknown): { success: true; data: T } | { success: false } }, obj: KubeObject | undefined): T | undefined {
  if (!obj) return undefined;
  const p = schema.safeParse(obj);
  return p.success ? p.data : undefined;
}

/** ipam Prefixes of `namespace` by name, for the names a core asks for; the Prefix LIST only when it asks for any. */
async function prefixesOf(snapshot: Snapshot, namespace: string, names: readonly string[]): Promise<Record<string, IroncorePrefix | undefined>> {
  if (names.length === 0) return {};
  const listed = await snapshot.get(IC_PREFIXES);
  return Object.fromEntries(names.map((n) => [n, parsedOr(IroncorePrefix, listed.byKey(namespace, n))]));
}

/** The ironcore Network a LoadBalancer / NATGateway / NetworkPolicy names; null when not listed. */
async function ironcoreNetwork(snapshot: Snapshot, namespace: string, name: string): Promise<IroncoreNetwork | null> {
  return parsedOr(IroncoreNetwork, (await snapshot.get(IC_NETWORKS)).byKey(namespace, name)) ?? null;
}

/** Runs a core; a throw becomes `core-error` (the reconcile reports the same error). */
function core<T>(fn: () => T): T | 'core-error' {
  try {
    return fn();
  } catch {
    return 'core-error';
  }
}

// ---- the checks ----------------------------------------------------------------------------

const checkVirtualIP: DriftCheck = async (obj, { projections, settings }) => {
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

const checkNetwork: DriftCheck = async (obj, { projections, snapshot, settings }) => {
  const parsed = IroncoreNetwork.safeParse(obj);
  if (!parsed.success) return 'unparsable';
  const network = parsed.data;
  const projection = projections.get(network.metadata.uid ?? '');
  if (!projection) return 'missing-projection';
  const peerApinetNetworks: Record<string, ApinetNetwork | undefined> = {};
  for (const name of networkPeerNames(network)) peerApinetNetworks[name] = parsedOr(ApinetNetwork, projections.get(name));
  // R-NET-03: the referenced Prefixes of the Network's own namespace, from the Prefix LIST.
  const prefixes = await prefixesOf(snapshot, network.metadata.namespace ?? '', networkPrefixRefNames(network));
  const desired = core(() => desiredApinetNetwork({ network, peerApinetNetworks, prefixes, settings }));
  if (desired === 'core-error') return desired;
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

const checkLoadBalancer: DriftCheck = async (obj, { projections, snapshot, settings }) => {
  // An unknown spec.type does not parse here; the reconcile reports R-LB-09 for it.
  const parsed = IroncoreLoadBalancer.safeParse(obj);
  if (!parsed.success) return 'unparsable';
  const lb = parsed.data;
  const reads = loadBalancerReads(lb);
  const observed = {
    loadBalancer: lb,
    network: await ironcoreNetwork(snapshot, reads.namespace, reads.network),
    routing: parsedOr(IroncoreLoadBalancerRouting, (await snapshot.get(IC_LB_ROUTINGS)).byKey(reads.namespace, reads.routing)) ?? null,
    prefixes: await prefixesOf(snapshot, reads.namespace, reads.prefixes),
    settings: { apinetNamespace: settings.apinetNamespace, nodeAffinityAware: settings.nodeAffinityAware ?? false },
  };
  const plan = core(() => loadBalancerPlan(observed));
  if (plan === 'core-error') return plan;
  if (plan.action === 'skip') return undefined; // R-LB-03: the reconcile applies nothing either
  const projection = projections.get(lb.metadata.uid ?? '');
  if (!projection) return 'missing-projection';
  // A selector the Go apinetlet stored carries one more label: still a superset of ours (the shell keeps it).
  if (!carries(projection, plan.loadBalancer)) return 'projection-differs';
  const applied = ApinetLoadBalancer.safeParse(projection);
  if (!applied.success) return 'unparsable';
  const routing = core(() => desiredApinetLoadBalancerRouting(observed, applied.data));
  if (routing === 'core-error') return routing;
  const storedRouting = (await snapshot.get(apinetList(apinet.LoadBalancerRouting, settings.apinetNamespace))).byName(routing.metadata.name);
  if (!storedRouting || !carries(storedRouting, routing)) return 'owned-differs';
  if (loadBalancerStatusPatch(lb, applied.data)) return 'stale-status';
  // SRV-04: the reconcile requeues until the server allocated every public address.
  if (plan.loadBalancer.spec.type === 'Public' && (applied.data.spec.ips ?? []).some((e) => !e.ip)) return 'waiting-for-server';
  return undefined;
};

const checkNATGateway: DriftCheck = async (obj, { projections, snapshot, settings }) => {
  const parsed = IroncoreNATGateway.safeParse(obj);
  if (!parsed.success) return 'unparsable';
  const natgw = parsed.data;
  const reads = natGatewayReads(natgw);
  const observed = { natGateway: natgw, network: await ironcoreNetwork(snapshot, reads.namespace, reads.network), settings: { apinetNamespace: settings.apinetNamespace } };
  const plan = core(() => natGatewayPlan(observed));
  if (plan === 'core-error') return plan;
  if (plan.action === 'skip') return undefined; // R-NATGW-05
  const projection = projections.get(natgw.metadata.uid ?? '');
  if (!projection) return 'missing-projection';
  if (!carries(projection, plan.natGateway)) return 'projection-differs';
  const applied = ApinetNATGateway.safeParse(projection);
  if (!applied.success) return 'unparsable';
  const autoscaler = core(() => desiredApinetNATGatewayAutoscaler(observed, applied.data));
  if (autoscaler === 'core-error') return autoscaler;
  const stored = (await snapshot.get(apinetList(apinet.NATGatewayAutoscaler, settings.apinetNamespace))).byName(autoscaler.metadata.name);
  if (!stored || !carries(stored, autoscaler)) return 'owned-differs';
  return natGatewayStatusPatch(natgw, applied.data) ? 'stale-status' : undefined;
};

const checkNetworkPolicy: DriftCheck = async (obj, { projections, snapshot, settings }) => {
  const parsed = IroncoreNetworkPolicy.safeParse(obj);
  if (!parsed.success) return 'unparsable';
  const np = parsed.data;
  const ans = settings.apinetNamespace;
  const network = await ironcoreNetwork(snapshot, np.metadata.namespace ?? '', np.spec.networkRef.name);
  const uid = network?.metadata.uid;
  const apinetNetwork = uid ? (parsedOr(ApinetNetwork, (await snapshot.get(projectionSource('Network', ans))).byName(uid)) ?? null) : null;
  const observed = { networkPolicy: np, network, apinetNetwork, apinetNetworkInterfaces: [], apinetLoadBalancers: [], settings: { apinetNamespace: ans } };
  const plan = core(() => planNetworkPolicy(observed));
  if (plan === 'core-error') return plan;
  if (plan.action === 'none') return undefined; // R-NP-04
  const projection = projections.get(np.metadata.uid ?? '');
  if (!projection) return 'missing-projection';
  if (!carries(projection, plan.apinetNetworkPolicy)) return 'projection-differs';
  if (plan.rule === 'wait-for-apinet-network') return undefined; // the reconcile stops there too
  const applied = ApinetNetworkPolicy.safeParse(projection);
  if (!applied.success) return 'unparsable';
  // Every apinet NIC and LoadBalancer of ANS: a superset of what the shell's selector LISTs return, the same rule.
  const [nics, lbs] = await Promise.all([snapshot.get(projectionSource('NetworkInterface', ans)), snapshot.get(projectionSource('LoadBalancer', ans))]);
  const rule = core(() =>
    desiredApinetNetworkPolicyRule({
      ...observed,
      apinetNetworkInterfaces: nics.parsed(ApinetNetworkInterface),
      apinetLoadBalancers: lbs.parsed(ApinetLoadBalancer),
      appliedApinetNetworkPolicy: applied.data,
    }),
  );
  if (rule === 'core-error') return rule;
  const stored = (await snapshot.get(apinetList(apinet.NetworkPolicyRule, ans))).byName(rule.metadata.name);
  return stored && carries(stored, rule) ? undefined : 'owned-differs';
};

const uidLabelOf = (o: ApinetNetworkInterface) => o.metadata.labels?.[originKeysOf('NetworkInterface').uidLabel];

const checkNetworkInterface: DriftCheck = async (obj, { snapshot, settings }) => {
  const parsed = IroncoreNetworkInterface.safeParse(obj);
  if (!parsed.success) return 'unparsable';
  const nic = parsed.data;
  const ns = nic.metadata.namespace ?? '';
  const nics = await snapshot.get(projectionSource('NetworkInterface', settings.apinetNamespace));
  // The shell's reads, answered from the LIST: the origin-label LIST → the uid-label index, the wanted NIC → by UID.
  const reads = apinetNetworkInterfaceReads(nic);
  const stemming = nics.groupedBy('origin-uid', ApinetNetworkInterface, uidLabelOf).get(nic.metadata.uid ?? '') ?? [];
  const wanted =
    reads.wantedUid === undefined
      ? undefined
      : (findWantedApinetNetworkInterface(reads, stemming) ?? nics.groupedBy('uid', ApinetNetworkInterface, (o) => o.metadata.uid).get(reads.wantedUid)?.[0]);
  const vips = await snapshot.get(IC_VIRTUAL_IPS);
  // R-NIC-04: the ephemeral prefixes' ipam Prefixes; the Prefix LIST only for NICs that have them.
  const prefixes = await prefixesOf(snapshot, ns, networkInterfacePrefixReads(nic));
  const plan = core(() =>
    planNetworkInterface(
      {
        networkInterface: nic,
        apinetNetworkInterfaces: reads.wantedUid === undefined ? stemming : apinetNetworkInterfacesThatMatter(wanted, stemming),
        virtualIPs: vips.groupedBy('namespace', IroncoreVirtualIP, (v) => v.metadata.namespace ?? '').get(ns) ?? [],
        prefixes,
        settings: { apinetNamespace: settings.apinetNamespace },
      },
      new Date(),
    ),
  );
  if (plan === 'core-error') return plan;
  if (plan.virtualIPWrites.length > 0) return 'owned-differs';
  if (plan.apinetNetworkInterfaceWrites.length > 0) return 'projection-differs';
  return plan.statusPatch ? 'stale-status' : undefined;
};

/** Every kind's check: the cores fed from the snapshot. */
const CHECKS: Record<PrimaryKind, DriftCheck> = {
  Network: checkNetwork,
  LoadBalancer: checkLoadBalancer,
  NATGateway: checkNATGateway,
  NetworkPolicy: checkNetworkPolicy,
  VirtualIP: checkVirtualIP,
  NetworkInterface: checkNetworkInterface,
};

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

/**
 * The run's snapshot: the lists of `before` (phases that run first and read the same lists, the
 * NAT autoscaling) and then those of every kind's check, each loaded by one paged LIST.
 */
export function driftSnapshot(
  clients: { ironcore: KubeClient; apinet: KubeClient },
  pageSize: number,
  ans: string,
  kinds: readonly PrimaryKind[] = PRIMARY_KINDS,
  before: readonly (readonly Source[])[] = [],
): Snapshot {
  return new Snapshot({ ironcore: clients.ironcore, apinet: clients.apinet }, pageSize, [...before, ...kinds.map((k) => sourcesOf(k, ans))]);
}

export async function driftResync(
  deps: { ironcore: KubeClient; apinet: KubeClient; sink: EnqueueSink; deadline: Deadline; snapshot?: Snapshot },
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

  const kinds = opts.kinds ?? PRIMARY_KINDS;
  const ans = opts.settings.apinetNamespace;
  const snapshot = deps.snapshot ?? driftSnapshot(deps, opts.pageSize, ans, kinds);
  const uidLabel = (kind: PrimaryKind) => originKeysOf(kind).uidLabel;

  for (const kind of kinds) {
    if (stopped || deps.deadline.expired()) {
      stopped = true;
      incomplete.push(kind);
      continue;
    }
    const projectionList = projectionSource(kind, ans);
    let step = `LIST apinet ${projectionList.res.kind} in ${ans}`;
    try {
      // 1. The projections of this kind, by name (= source UID): those carrying the origin uid label.
      const projections = new Map<string, KubeObject>();
      for (const p of (await snapshot.get(projectionList)).items) {
        if (p.metadata?.labels?.[uidLabel(kind)] === undefined) continue;
        projectionsListed[kind]++;
        if (p.metadata?.labels?.[originKeysOf(kind).nameAnnotation] !== undefined) unmigrated++;
        if (p.metadata?.name) projections.set(p.metadata.name, p);
      }
      // 2. The ironcore objects, checked one by one as the pages come; only key → uid is kept
      //    (the objects too when a later kind's check reads them, e.g. Networks, VirtualIPs).
      step = `LIST ironcore ${kind}`;
      const sources = new Map<string, string>();
      const check = CHECKS[kind];
      const finalizer = finalizerOf(kind);
      const ctx: CheckContext = { projections, snapshot, settings: opts.settings };
      for await (const obj of snapshot.stream(ironcoreList(ironcore[kind]))) {
        listed[kind]++;
        const { namespace, name, uid } = obj.metadata ?? {};
        if (namespace && name) sources.set(`${namespace}/${name}`, uid ?? '');
        const msg = resyncMessage(kind, obj, opts.run, opts.watchFilter);
        if (!msg) {
          excluded[kind]++;
          continue;
        }
        step = `checking ${kind} ${namespace}/${name} (a LIST its check reads)`;
        const reason = await driftOf(obj, finalizer, check, ctx);
        step = `LIST ironcore ${kind}`;
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
      errors.push(`drift resync: ${step} failed: ${(err as Error).message}; check the kubeconfigs and that apinetlet may list the ${ironcore[kind].plural}' inputs in both clusters`);
    } finally {
      snapshot.done(sourcesOf(kind, ans));
    }
  }
  return { listed, excluded, projections: projectionsListed, drift, orphans, samples, unmigrated, incomplete, errors, stopped };
}

async function driftOf(obj: KubeObject, finalizer: string, check: DriftCheck, ctx: CheckContext): Promise<DriftReason | undefined> {
  switch (lifecycleDecision(obj.metadata ?? {}, finalizer)) {
    case 'ignore':
      return undefined; // R-GEN-02: the reconcile would touch nothing
    case 'delete':
      return 'pending-deletion';
    case 'add-finalizer':
      return 'missing-finalizer';
    case 'reconcile':
      return check(obj, ctx);
  }
}
