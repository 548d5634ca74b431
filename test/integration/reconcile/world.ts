/**
 * A "world" for the convergence tests: objects of all six kinds in a few namespaces, created in
 * the ironcore emulator, with the parts other components play (SIM-01 incoming peerings, SIM-06/07
 * apinet NICs, SIM-08 NAT autoscaler) written straight into the emulators. Plus what the tests need
 * to judge it: the list of problems that keep it from being converged, and the apinet leftovers.
 */
import { randomUUID } from 'node:crypto';
import { finalizerOf, originKeysOf } from '../../../shared/api/origin.ts';
import { formatNetworkInterfaceProviderId } from '../../../shared/api/provider-id.ts';
import { apinet, apiVersionOf, ironcore, type PrimaryKind, type ResourceInfo } from '../../../shared/api/resources.ts';
import type { KubeObject } from '../../../shared/kube/types.ts';
import type { QueueMessage } from '../../../shared/queue/message.ts';
import { APINET_NAMESPACE, type Harness } from '../harness.ts';

const ANS = APINET_NAMESPACE;
type Obj = KubeObject & { spec?: any; status?: any };

export interface WorldKey {
  kind: PrimaryKind;
  namespace: string;
  name: string;
}

export interface World {
  namespaces: string[];
  keys: WorldKey[];
  /** Apinet NIC (SIM-06) per namespace, claimed by the ironcore NIC `nic`. */
  apinetNics: Record<string, string>;
}

const body = (res: ResourceInfo, namespace: string | undefined, name: string, rest: Record<string, unknown>): KubeObject => ({
  apiVersion: apiVersionOf(res),
  kind: res.kind,
  metadata: { name, ...(namespace ? { namespace } : {}), ...((rest.metadata as object) ?? {}) },
  ...Object.fromEntries(Object.entries(rest).filter(([k]) => k !== 'metadata')),
});

/** Per namespace: Networks `net` ⇄ `peer`, VirtualIP `vip`, NATGateway `nat`, LoadBalancers `lb-pub`/`lb-int`, NetworkPolicy `np`, NetworkInterface `nic`. */
export async function buildWorld(h: Harness, namespaces: string[]): Promise<World> {
  const keys: WorldKey[] = [];
  const apinetNics: Record<string, string> = {};
  const put = (res: ResourceInfo, ns: string, name: string, rest: Record<string, unknown>) =>
    h.ironcore.apply<Obj>(res, body(res, ns, name, rest), { fieldManager: 'test', force: true });

  for (const [i, ns] of namespaces.entries()) {
    await h.namespace(ns);
    const net = await put(ironcore.Network, ns, 'net', { spec: { peerings: [{ name: 'to-peer', networkRef: { name: 'peer' } }] } });
    const peer = await put(ironcore.Network, ns, 'peer', { spec: { peerings: [{ name: 'to-net', networkRef: { name: 'net' } }] } });
    // SIM-01: the ironcore networking controller records the claims of both sides.
    await h.ironcore.mergePatch(ironcore.Network, ns, 'net', { spec: { incomingPeerings: [{ name: 'peer', namespace: ns, uid: peer.metadata.uid }] } });
    await h.ironcore.mergePatch(ironcore.Network, ns, 'peer', { spec: { incomingPeerings: [{ name: 'net', namespace: ns, uid: net.metadata.uid }] } });
    await put(ironcore.VirtualIP, ns, 'vip', { spec: { type: 'Public', ipFamily: 'IPv4' } });
    await put(ironcore.NATGateway, ns, 'nat', { spec: { type: 'Public', ipFamily: 'IPv4', networkRef: { name: 'net' } } });
    await put(ironcore.LoadBalancer, ns, 'lb-pub', { spec: { type: 'Public', ipFamilies: ['IPv4'], networkRef: { name: 'net' }, ports: [{ protocol: 'TCP', port: 80 }] } });
    await put(ironcore.LoadBalancer, ns, 'lb-int', { spec: { type: 'Internal', ipFamilies: ['IPv4'], networkRef: { name: 'net' }, ips: [{ value: `192.168.${i}.5` }] } });
    // SIM-06/07: the apinet NIC on the apinet Network of `net`, Ready, so it is a policy target (R-NP-07).
    const anicName = `anic-${ns}`;
    const anic = await h.apinet.apply<Obj>(
      apinet.NetworkInterface,
      body(apinet.NetworkInterface, ANS, anicName, {
        metadata: { labels: { app: 'web' } },
        spec: { nodeRef: { name: 'node-1' }, networkRef: { name: net.metadata.uid }, ips: [`192.168.${i}.10`] },
      }),
      { fieldManager: 'machinepool', force: true },
    );
    await h.apinet.mergePatch(apinet.NetworkInterface, ANS, anicName, { status: { state: 'Ready' } }, { subresource: 'status' });
    apinetNics[ns] = anicName;
    const providerID = formatNetworkInterfaceProviderId({ namespace: ANS, name: anicName, node: 'node-1', uid: anic.metadata.uid! });
    await put(ironcore.NetworkInterface, ns, 'nic', {
      metadata: { labels: { app: 'web' } },
      spec: { networkRef: { name: 'net' }, ipFamilies: ['IPv4'], ips: [{ value: `192.168.${i}.10` }], providerID, virtualIP: { virtualIPRef: { name: 'vip' } } },
    });
    await put(ironcore.NetworkPolicy, ns, 'np', { spec: { networkRef: { name: 'net' }, networkInterfaceSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] } });
    for (const [kind, name] of [
      ['Network', 'net'],
      ['Network', 'peer'],
      ['VirtualIP', 'vip'],
      ['NATGateway', 'nat'],
      ['LoadBalancer', 'lb-pub'],
      ['LoadBalancer', 'lb-int'],
      ['NetworkInterface', 'nic'],
      ['NetworkPolicy', 'np'],
    ] as const) {
      keys.push({ kind, namespace: ns, name });
    }
  }
  return { namespaces, keys, apinetNics };
}

/** SIM-08: the NAT autoscaler gives every projected NAT gateway of the world one address. */
export async function playAutoscaler(h: Harness, world: World): Promise<void> {
  for (const ns of world.namespaces) {
    const nat = await h.ironcore.get(ironcore.NATGateway, ns, 'nat');
    const anat = nat && (await h.apinet.get<Obj>(apinet.NATGateway, ANS, nat.metadata.uid!));
    if (anat && !(anat.spec?.ips ?? []).length) {
      await h.apinet.mergePatch(apinet.NATGateway, ANS, anat.metadata.name!, { spec: { ips: [{ name: 'ip-1' }] } }, { fieldManager: 'natgateway-autoscaler' });
    }
  }
}

export { seededRandom } from '../../random.ts';

/** Every key `copies` times with a different `run`, ops drawn from `ops`, all shuffled across keys. */
export function chaosMessages(keys: WorldKey[], random: () => number, ops: Array<QueueMessage['op']>, copies = 3): QueueMessage[] {
  const out: QueueMessage[] = keys.flatMap((k) =>
    Array.from({ length: copies }, () => {
      const op = ops[Math.floor(random() * ops.length)];
      const source: QueueMessage['source'] = op ? 'admission' : random() < 0.5 ? 'watch' : 'resync';
      return { v: 1 as const, kind: k.kind, namespace: k.namespace, name: k.name, source, run: randomUUID(), ...(op ? { op } : {}) };
    }),
  );
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const ironcoreRes: Record<PrimaryKind, ResourceInfo> = {
  Network: ironcore.Network,
  VirtualIP: ironcore.VirtualIP,
  NATGateway: ironcore.NATGateway,
  LoadBalancer: ironcore.LoadBalancer,
  NetworkPolicy: ironcore.NetworkPolicy,
  NetworkInterface: ironcore.NetworkInterface,
};

/** The apinet projections (named `<uid>`) each kind must have (behavior.md 2.1); NIC is claimed, not projected. */
const projections: Record<PrimaryKind, ResourceInfo[]> = {
  Network: [apinet.Network],
  VirtualIP: [apinet.IP],
  NATGateway: [apinet.NATGateway, apinet.NATGatewayAutoscaler],
  LoadBalancer: [apinet.LoadBalancer, apinet.LoadBalancerRouting],
  NetworkPolicy: [apinet.NetworkPolicy, apinet.NetworkPolicyRule],
  NetworkInterface: [],
};

export const APINET_KINDS: ResourceInfo[] = [
  apinet.Network,
  apinet.IP,
  apinet.LoadBalancer,
  apinet.LoadBalancerRouting,
  apinet.NATGateway,
  apinet.NATGatewayAutoscaler,
  apinet.NetworkInterface,
  apinet.NetworkPolicy,
  apinet.NetworkPolicyRule,
];

async function listAll(h: Harness, res: ResourceInfo, labelSelector?: string): Promise<Obj[]> {
  const out: Obj[] = [];
  for await (const o of h.apinet.listAll<Obj>(res, { namespace: ANS, ...(labelSelector ? { labelSelector } : {}) })) out.push(o);
  return out;
}

/** What keeps the world from being converged, one readable line per defect; empty when converged. */
export async function convergenceProblems(h: Harness, world: World): Promise<string[]> {
  const problems: string[] = [];
  const objs = new Map<string, Obj>();
  for (const k of world.keys) {
    const o = await h.ironcore.get<Obj>(ironcoreRes[k.kind], k.namespace, k.name);
    if (o) objs.set(`${k.kind} ${k.namespace}/${k.name}`, o);
  }
  const anets = new Map((await listAll(h, apinet.Network)).map((o) => [o.metadata.name!, o]));

  for (const k of world.keys) {
    const id = `${k.kind} ${k.namespace}/${k.name}`;
    const o = objs.get(id);
    if (!o) {
      problems.push(`${id}: missing in ironcore`);
      continue;
    }
    const bad = (what: string) => problems.push(`${id}: ${what}`);
    const uid = o.metadata.uid!;
    const keys = originKeysOf(k.kind);
    if (!(o.metadata.finalizers ?? []).includes(finalizerOf(k.kind))) bad(`no finalizer ${finalizerOf(k.kind)} (R-GEN-01)`);

    // Every projection exists exactly once (by origin uid label), named <uid>, with all three origin keys.
    const projected = new Map<string, Obj>();
    for (const res of projections[k.kind]) {
      const found = await listAll(h, res, `${keys.uidLabel}=${uid}`);
      if (found.length !== 1) {
        bad(`${found.length} apinet ${res.kind}(s) with origin uid ${uid}, want exactly 1 (${found.map((f) => f.metadata.name).join(', ')})`);
        continue;
      }
      const p = found[0]!;
      if (p.metadata.name !== uid) bad(`apinet ${res.kind} named ${p.metadata.name}, want ${uid} (behavior.md 2.1)`);
      if (p.metadata.labels?.[keys.namespaceLabel] !== k.namespace || p.metadata.annotations?.[keys.nameAnnotation] !== k.name) {
        bad(`apinet ${res.kind} ${p.metadata.name} origin keys ${JSON.stringify({ labels: p.metadata.labels, annotations: p.metadata.annotations })}`);
      }
      projected.set(res.kind, p);
    }
    const netUid = objs.get(`Network ${k.namespace}/net`)?.metadata.uid;

    switch (k.kind) {
      case 'Network': {
        const an = projected.get('Network');
        if (!an) break;
        const want = `ironcore-net://${ANS}/${uid}/${an.spec?.id}/${an.metadata.uid}`;
        if (o.spec?.providerID !== want) bad(`spec.providerID ${o.spec?.providerID}, want ${want} (R-NET-01)`);
        if (o.status?.state !== 'Available') bad(`status.state ${o.status?.state}, want Available`);
        const peerName = k.name === 'net' ? 'peer' : 'net';
        const peerVni = anets.get(objs.get(`Network ${k.namespace}/${peerName}`)?.metadata.uid ?? '')?.spec?.id;
        const ids = (an.spec?.peerings ?? []).map((p: { id: string }) => p.id);
        if (!peerVni || ids.length !== 1 || ids[0] !== peerVni) bad(`apinet spec.peerings ids ${JSON.stringify(ids)}, want [${peerVni}] (the peer's VNI)`);
        break;
      }
      case 'VirtualIP': {
        const ip = projected.get('IP');
        if (ip && (!ip.spec?.ip || o.status?.ip !== ip.spec.ip)) bad(`status.ip ${o.status?.ip}, want the apinet IP's ${ip.spec?.ip} (R-VIP-02)`);
        break;
      }
      case 'NATGateway': {
        const an = projected.get('NATGateway');
        if (!an) break;
        if (an.spec?.networkRef?.name !== netUid) bad(`apinet spec.networkRef ${JSON.stringify(an.spec?.networkRef)}, want ${netUid}`);
        const want = (an.spec?.ips ?? []).map((e: { ip: string }) => e.ip);
        if (want.length === 0) bad('apinet NATGateway has no ips yet (SIM-08 not played)');
        if (JSON.stringify(o.status?.ips ?? []) !== JSON.stringify(want)) bad(`status.ips ${JSON.stringify(o.status?.ips)}, want ${JSON.stringify(want)} (R-NATGW-03)`);
        const as = projected.get('NATGatewayAutoscaler');
        if (as && as.metadata.ownerReferences?.[0]?.uid !== an.metadata.uid) bad('autoscaler not owned by the apinet NATGateway (R-NATGW-02)');
        break;
      }
      case 'LoadBalancer': {
        const an = projected.get('LoadBalancer');
        if (!an) break;
        if (an.spec?.networkRef?.name !== netUid) bad(`apinet spec.networkRef ${JSON.stringify(an.spec?.networkRef)}, want ${netUid}`);
        const want = (an.spec?.ips ?? []).map((e: { ip?: string }) => e.ip);
        if (want.length !== 1 || !want[0]) bad(`apinet spec.ips ${JSON.stringify(an.spec?.ips)}, want one address`);
        if (JSON.stringify(o.status?.ips ?? []) !== JSON.stringify(want)) bad(`status.ips ${JSON.stringify(o.status?.ips)}, want ${JSON.stringify(want)} (R-LB-01)`);
        break;
      }
      case 'NetworkPolicy': {
        const rule = projected.get('NetworkPolicyRule');
        if (!rule) break;
        const anicName = world.apinetNics[k.namespace]!;
        const targets = (rule['targets'] ?? []) as Array<{ targetRef?: { name: string } }>;
        if (targets.length !== 1 || targets[0]?.targetRef?.name !== anicName) bad(`rule targets ${JSON.stringify(targets)}, want the Ready NIC ${anicName} (R-NP-07)`);
        break;
      }
      case 'NetworkInterface': {
        const anic = await h.apinet.get<Obj>(apinet.NetworkInterface, ANS, world.apinetNics[k.namespace]!);
        const vip = objs.get(`VirtualIP ${k.namespace}/vip`);
        if (!anic || anic.metadata.labels?.[keys.uidLabel] !== uid || anic.metadata.labels?.[keys.namespaceLabel] !== k.namespace || anic.metadata.annotations?.[keys.nameAnnotation] !== k.name) {
          bad(`apinet NIC ${world.apinetNics[k.namespace]} not claimed (origin keys ${JSON.stringify({ l: anic?.metadata.labels, a: anic?.metadata.annotations })})`);
          break;
        }
        const vipIp = vip?.status?.ip;
        const wantPublic = vipIp ? [{ name: vipIp, ipFamily: 'IPv4', ip: vipIp }] : '(VIP has no status.ip)';
        if (JSON.stringify(anic.spec?.publicIPs ?? []) !== JSON.stringify(wantPublic)) bad(`apinet NIC publicIPs ${JSON.stringify(anic.spec?.publicIPs)}, want ${JSON.stringify(wantPublic)} (R-NIC-05)`);
        if (vip?.spec?.targetRef?.uid !== uid) bad(`VirtualIP vip targetRef ${JSON.stringify(vip?.spec?.targetRef)}, want this NIC (R-NIC-05)`);
        if (o.status?.state !== 'Available') bad(`status.state ${o.status?.state}, want Available (R-NIC-02)`);
        if (JSON.stringify(o.status?.ips ?? []) !== JSON.stringify(anic.spec?.ips ?? [])) bad(`status.ips ${JSON.stringify(o.status?.ips)}, want ${JSON.stringify(anic.spec?.ips)} (R-NIC-02)`);
        break;
      }
    }
  }
  return problems;
}

/** Ironcore objects of the world still stored (e.g. held by a finalizer nobody removed). */
export async function ironcoreLeftovers(h: Harness, world: World): Promise<string[]> {
  const out: string[] = [];
  for (const k of world.keys) {
    const o = await h.ironcore.get(ironcoreRes[k.kind], k.namespace, k.name);
    if (o) out.push(`${k.kind} ${k.namespace}/${k.name} still exists (finalizers ${JSON.stringify(o.metadata.finalizers)})`);
  }
  return out;
}

/** Apinet objects in ANS that still carry any apinetlet origin key (label or annotation). */
export async function apinetOriginLeftovers(h: Harness): Promise<string[]> {
  const out: string[] = [];
  for (const res of APINET_KINDS) {
    for (const o of await listAll(h, res)) {
      const keys = [...Object.keys(o.metadata.labels ?? {}), ...Object.keys(o.metadata.annotations ?? {})].filter((key) => key.startsWith('apinetlet.ironcore.dev/'));
      if (keys.length) out.push(`apinet ${res.kind} ${o.metadata.name}: ${keys.join(', ')}`);
    }
  }
  return out;
}
