/**
 * The operation script both sides of the differential run execute: what users and the other
 * components of an installation (behavior.md SIM-…) do to the two clusters. Operations are
 * symbolic — they name objects, never UIDs — and each side resolves them against its own clusters,
 * so the same script means the same thing on both.
 */
import { seededRandom } from '../random.ts';

export type Op =
  | { op: 'ns.create'; ns: string }
  | { op: 'ns.delete'; ns: string }
  | { op: 'net.create'; ns: string; name: string; peers: Peer[] }
  | { op: 'net.peerings'; ns: string; name: string; peers: Peer[] }
  /** SIM-01: ironcore's peering controller claims the peers that peer back. */
  | { op: 'net.claim'; ns: string; name: string; claims: { ns: string; name: string }[] }
  /** SIM-02: metalnetlet reports the peerings of the apinet Network of ns/name. */
  | { op: 'net.peeringStatus'; ns: string; name: string; peers: { ns: string; name: string; state: 'Pending' | 'Ready' | 'Error' }[] }
  | { op: 'vip.create'; ns: string; name: string }
  | { op: 'lb.create'; ns: string; name: string; network: string; ports: number[]; selector?: string }
  | { op: 'lb.ports'; ns: string; name: string; ports: number[] }
  | { op: 'natgw.create'; ns: string; name: string; network: string; portsPerNic?: number }
  | { op: 'natgw.ports'; ns: string; name: string; portsPerNic: number }
  | { op: 'np.create'; ns: string; name: string; network: string; selector: string; port: number; egress: boolean }
  | { op: 'np.port'; ns: string; name: string; port: number }
  /** SIM-06: the machine-pool side creates an apinet NIC in the apinet Network of ns/network. */
  | { op: 'apinic.create'; name: string; ns: string; network: string; ip: string; ready: boolean }
  /** SIM-07: metalnetlet reports its state. */
  | { op: 'apinic.state'; name: string; state: 'Ready' | 'Pending' | 'Error' }
  | { op: 'apinic.delete'; name: string }
  | { op: 'nic.create'; ns: string; name: string; network: string; apinic?: string; ip: string; app: string; vip?: string }
  | { op: 'nic.labels'; ns: string; name: string; app: string }
  | { op: 'nic.vip'; ns: string; name: string; vip?: string }
  | { op: 'nic.provider'; ns: string; name: string; apinic?: string }
  | { op: 'delete'; kind: Kind; ns: string; name: string }
  /** Someone deletes the apinet projection of an ironcore object (R-GEN-05). */
  | { op: 'apinet.delete'; kind: Kind; ns: string; name: string };

export type Kind = 'Network' | 'LoadBalancer' | 'NATGateway' | 'NetworkPolicy' | 'VirtualIP' | 'NetworkInterface';
export interface Peer {
  name: string;
  ns?: string;
  network: string;
}

export interface Script {
  name: string;
  ops: Op[];
}

export function describeOp(o: Op): string {
  const { op, ...rest } = o;
  return `${op} ${Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ')}`;
}

/** The scenarios of test/e2e (converge.test.ts) as operation scripts. */
export function e2eScripts(): Script[] {
  const set = (ns: string, p: string, ip: string): Op[] => [
    { op: 'net.create', ns, name: `${p}-net`, peers: [] },
    { op: 'vip.create', ns, name: `${p}-vip` },
    { op: 'natgw.create', ns, name: `${p}-natgw`, network: `${p}-net` },
    { op: 'lb.create', ns, name: `${p}-lb`, network: `${p}-net`, ports: [80] },
    { op: 'np.create', ns, name: `${p}-np`, network: `${p}-net`, selector: `${p}-web`, port: 80, egress: false },
    { op: 'apinic.create', name: `${p}-${ns}-nic`, ns, network: `${p}-net`, ip, ready: true },
    { op: 'nic.create', ns, name: `${p}-nic`, network: `${p}-net`, apinic: `${p}-${ns}-nic`, ip, app: `${p}-web` },
  ];
  const kinds: Kind[] = ['Network', 'VirtualIP', 'NATGateway', 'LoadBalancer', 'NetworkPolicy', 'NetworkInterface'];
  const suffix: Record<Kind, string> = { Network: 'net', VirtualIP: 'vip', NATGateway: 'natgw', LoadBalancer: 'lb', NetworkPolicy: 'np', NetworkInterface: 'nic' };
  return [
    { name: 'e2e: every kind converges', ops: [{ op: 'ns.create', ns: 'e2e' }, ...set('e2e', 'one', '10.1.0.5')] },
    {
      name: 'e2e: deleting every kind removes finalizers and apinet objects',
      ops: [
        { op: 'ns.create', ns: 'e2e-del' },
        ...set('e2e-del', 'del', '10.1.0.6'),
        ...[...kinds].reverse().map((kind): Op => ({ op: 'delete', kind, ns: 'e2e-del', name: `del-${suffix[kind]}` })),
      ],
    },
    {
      name: 'e2e: apinet NIC Ready reaches the ironcore NIC',
      ops: [
        { op: 'ns.create', ns: 'e2e-rdy' },
        { op: 'net.create', ns: 'e2e-rdy', name: 'rdy-net', peers: [] },
        { op: 'apinic.create', name: 'rdy-nic-a', ns: 'e2e-rdy', network: 'rdy-net', ip: '10.1.0.7', ready: false },
        { op: 'nic.create', ns: 'e2e-rdy', name: 'rdy-nic', network: 'rdy-net', apinic: 'rdy-nic-a', ip: '10.1.0.7', app: 'rdy' },
        { op: 'apinic.state', name: 'rdy-nic-a', state: 'Ready' },
      ],
    },
    {
      name: 'e2e: an apinet object deleted by someone else is re-created',
      ops: [
        { op: 'ns.create', ns: 'e2e-rec' },
        { op: 'net.create', ns: 'e2e-rec', name: 'rec-net', peers: [] },
        { op: 'apinet.delete', kind: 'Network', ns: 'e2e-rec', name: 'rec-net' },
      ],
    },
    { name: 'e2e: a VirtualIP created on its own converges', ops: [{ op: 'ns.create', ns: 'e2e-vip' }, { op: 'vip.create', ns: 'e2e-vip', name: 'paused-vip' }] },
  ];
}

/**
 * A seeded random script of `count` operations over all six kinds. It keeps a model of what it
 * created so most operations make sense, and on purpose refers to things that do not exist (yet).
 */
export function randomScript(seed: number, count: number): Script {
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number) => r() < p;
  let serial = 0;
  const fresh = (p: string) => `${p}${++serial}`;
  const apps = ['web', 'db', 'cache'];
  const nss: string[] = [];
  const objs: Record<Kind, { ns: string; name: string }[]> = { Network: [], LoadBalancer: [], NATGateway: [], NetworkPolicy: [], VirtualIP: [], NetworkInterface: [] };
  const apinics: { name: string; ns: string }[] = [];
  let ipSerial = 10;
  const inNs = (k: Kind, ns: string) => objs[k].filter((o) => o.ns === ns);
  const netName = (ns: string) => (chance(0.12) || inNs('Network', ns).length === 0 ? fresh('ghost-net') : pick(inNs('Network', ns)).name);
  const ops: Op[] = [];
  const add = (o: Op) => ops.push(o);
  const newNs = () => {
    const ns = fresh('rnd-');
    nss.push(ns);
    add({ op: 'ns.create', ns });
    return ns;
  };
  newNs();
  while (ops.length < count) {
    const ns = nss.length && !chance(0.04) ? pick(nss) : newNs();
    const roll = r();
    const any = (k: Kind) => inNs(k, ns);
    if (roll < 0.14) {
      const name = fresh('net');
      const peers: Peer[] = [];
      if (chance(0.4) && any('Network').length) peers.push({ name: fresh('p'), network: pick(any('Network')).name });
      if (chance(0.15)) peers.push({ name: fresh('p'), network: fresh('ghost-net') });
      add({ op: 'net.create', ns, name, peers });
      objs.Network.push({ ns, name });
    } else if (roll < 0.19 && any('Network').length) {
      const n = pick(any('Network'));
      const others = any('Network').filter((o) => o.name !== n.name);
      const peers: Peer[] = chance(0.3) || !others.length ? [] : [{ name: fresh('p'), network: pick(others).name }];
      add({ op: 'net.peerings', ns, name: n.name, peers });
    } else if (roll < 0.23 && any('Network').length >= 2) {
      const [a, b] = [pick(any('Network')), pick(any('Network'))];
      if (a.name !== b.name) {
        add({ op: 'net.claim', ns, name: a.name, claims: chance(0.2) ? [] : [{ ns, name: b.name }] });
        if (chance(0.6)) add({ op: 'net.peeringStatus', ns, name: a.name, peers: [{ ns, name: b.name, state: pick(['Ready', 'Pending', 'Ready'] as const) }] });
      }
    } else if (roll < 0.31) {
      const name = fresh('vip');
      add({ op: 'vip.create', ns, name });
      objs.VirtualIP.push({ ns, name });
    } else if (roll < 0.39) {
      const name = fresh('lb');
      add({ op: 'lb.create', ns, name, network: netName(ns), ports: [pick([80, 443, 8080])], ...(chance(0.5) ? { selector: pick(apps) } : {}) });
      objs.LoadBalancer.push({ ns, name });
    } else if (roll < 0.42 && any('LoadBalancer').length) {
      add({ op: 'lb.ports', ns, name: pick(any('LoadBalancer')).name, ports: chance(0.5) ? [80, 443] : [pick([22, 8443])] });
    } else if (roll < 0.48) {
      const name = fresh('natgw');
      add({ op: 'natgw.create', ns, name, network: netName(ns), ...(chance(0.5) ? { portsPerNic: pick([64, 1024, 2048]) } : {}) });
      objs.NATGateway.push({ ns, name });
    } else if (roll < 0.5 && any('NATGateway').length) {
      add({ op: 'natgw.ports', ns, name: pick(any('NATGateway')).name, portsPerNic: pick([128, 512]) });
    } else if (roll < 0.57) {
      const name = fresh('np');
      add({ op: 'np.create', ns, name, network: netName(ns), selector: pick(apps), port: pick([80, 5432, 6379]), egress: chance(0.3) });
      objs.NetworkPolicy.push({ ns, name });
    } else if (roll < 0.59 && any('NetworkPolicy').length) {
      add({ op: 'np.port', ns, name: pick(any('NetworkPolicy')).name, port: pick([81, 443]) });
    } else if (roll < 0.66 && any('Network').length) {
      const name = fresh('anic');
      add({ op: 'apinic.create', name, ns, network: pick(any('Network')).name, ip: `10.2.${ipSerial >> 8}.${ipSerial++ & 255}`, ready: chance(0.6) });
      apinics.push({ name, ns });
    } else if (roll < 0.7 && apinics.length) {
      add({ op: 'apinic.state', name: pick(apinics).name, state: pick(['Ready', 'Pending', 'Ready', 'Error'] as const) });
    } else if (roll < 0.78) {
      const name = fresh('nic');
      const apinic = apinics.filter((a) => a.ns === ns);
      const vips = any('VirtualIP');
      add({
        op: 'nic.create',
        ns,
        name,
        network: netName(ns),
        ...(apinic.length && !chance(0.15) ? { apinic: pick(apinic).name } : {}),
        ip: `10.3.${ipSerial >> 8}.${ipSerial++ & 255}`,
        app: pick(apps),
        ...(vips.length && chance(0.5) ? { vip: pick(vips).name } : chance(0.1) ? { vip: fresh('ghost-vip') } : {}),
      });
      objs.NetworkInterface.push({ ns, name });
    } else if (roll < 0.82 && any('NetworkInterface').length) {
      add({ op: 'nic.labels', ns, name: pick(any('NetworkInterface')).name, app: pick(apps) });
    } else if (roll < 0.85 && any('NetworkInterface').length) {
      const vips = any('VirtualIP');
      add({ op: 'nic.vip', ns, name: pick(any('NetworkInterface')).name, ...(vips.length && chance(0.7) ? { vip: pick(vips).name } : {}) });
    } else if (roll < 0.87 && any('NetworkInterface').length) {
      const apinic = apinics.filter((a) => a.ns === ns);
      add({ op: 'nic.provider', ns, name: pick(any('NetworkInterface')).name, ...(apinic.length && chance(0.8) ? { apinic: pick(apinic).name } : {}) });
    } else if (roll < 0.95) {
      const kinds = (Object.keys(objs) as Kind[]).filter((k) => any(k).length);
      if (!kinds.length) continue;
      const kind = pick(kinds);
      const o = pick(any(kind));
      add({ op: 'delete', kind, ns, name: o.name });
      objs[kind] = objs[kind].filter((x) => x !== o);
    } else if (roll < 0.97) {
      const kinds = (['Network', 'LoadBalancer', 'NATGateway', 'NetworkPolicy', 'VirtualIP'] as Kind[]).filter((k) => any(k).length);
      if (!kinds.length) continue;
      const kind = pick(kinds);
      add({ op: 'apinet.delete', kind, ns, name: pick(any(kind)).name });
    } else if (roll < 0.98 && apinics.length) {
      const a = pick(apinics);
      add({ op: 'apinic.delete', name: a.name });
      apinics.splice(apinics.indexOf(a), 1);
    } else if (nss.length > 1 && chance(0.5)) {
      add({ op: 'ns.delete', ns });
      nss.splice(nss.indexOf(ns), 1);
      for (const k of Object.keys(objs) as Kind[]) objs[k] = objs[k].filter((o) => o.ns !== ns);
    }
  }
  return { name: `random seed ${seed}`, ops: ops.slice(0, count) };
}
