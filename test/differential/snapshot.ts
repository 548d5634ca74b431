/**
 * What the differential compares, normalised so that the two sides' snapshots are equal when the
 * two controllers did the same thing: UIDs become the name of what they identify (ironcore objects
 * by kind/namespace/name, apinet objects by kind/normalised name), server-allocated values (VNIs,
 * public IPs) become the name of the object they were allocated to, and timestamps,
 * resourceVersions and managed fields are dropped.
 */
import { apinet, ironcore, PRIMARY_KINDS, type ResourceInfo } from '../../shared/api/resources.ts';
import type { KubeObject } from '../../shared/kube/index.ts';
import type { Side } from './sides.ts';

const APINET_KINDS = ['Network', 'IP', 'LoadBalancer', 'LoadBalancerRouting', 'NATGateway', 'NATGatewayAutoscaler', 'NetworkInterface', 'NetworkPolicy', 'NetworkPolicyRule'] as const;
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'default', 'apinetlet-system']);

/** normalised key → normalised object */
export type Snapshot = Record<string, unknown>;

/** Identifiers a side has seen, kept across steps (a deleted object's UID still names it). */
export class Names {
  readonly map = new Map<string, string>();
  /** The first name of a value stays (a public IP is named by its apinet IP, not by each user). */
  private longestFirst: [string, string][] | undefined;
  set(raw: string | undefined, symbol: string): void {
    if (raw && !this.map.has(raw)) {
      this.map.set(raw, symbol);
      this.longestFirst = undefined;
    }
  }
  /** Replaces every known identifier inside a string (UIDs within provider IDs and names too). */
  /** Names of this snapshot only (see {@link snapshot}); rebuilt every time. */
  overlay = new Map<string, string>();
  text(s: string): string {
    const exact = this.overlay.get(s) ?? this.map.get(s);
    if (exact) return exact;
    let out = s;
    // Longest first: a generated name contains the UID it was derived from.
    this.longestFirst ??= [...this.map].filter(([raw]) => raw.length >= 32).sort((a, b) => b[0].length - a[0].length);
    for (const [raw, sym] of this.longestFirst) if (out.includes(raw)) out = out.split(raw).join(sym);
    return out;
  }
}

async function listAll(client: Side['ironcore'], res: ResourceInfo, namespace?: string): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for await (const o of client.listAll(res, namespace ? { namespace } : {})) out.push(o);
  return out;
}

function deep(v: unknown, names: Names): unknown {
  if (typeof v === 'string') return names.text(v);
  if (Array.isArray(v)) return v.map((x) => deep(x, names));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      if (k === 'lastStateTransitionTime' || k === 'lastTransitionTime') continue;
      out[k] = deep((v as Record<string, unknown>)[k], names);
    }
    return out;
  }
  return v;
}

function providerId(s: string, names: Names): string {
  // ironcore-net://<ns>/<apinet name>/<vni>/<uid>: the VNI is the server's, named by its network.
  const m = /^ironcore-net:\/\/([^/]*)\/([^/]*)\/([^/]*)\/([^/]*)$/.exec(s);
  if (!m) return names.text(s);
  return `ironcore-net://${m[1]}/${names.text(m[2]!)}/${names.text(`vni:${m[3]}`)}/${names.text(m[4]!)}`;
}

/**
 * Objects named by the server (generateName: the IPs ironcore-net allocates for NAT gateways and
 * load balancers) get `<prefix>~<n>`, n counting that prefix's objects in creation order (same
 * second: by spec), so the same allocation has the same name on both sides.
 */
function nameGenerated(kind: string, objs: KubeObject[], names: Names): void {
  const byPrefix = new Map<string, KubeObject[]>();
  for (const o of objs) {
    const g = o.metadata.generateName;
    if (!g || names.map.has(o.metadata.name!)) continue;
    byPrefix.set(g, [...(byPrefix.get(g) ?? []), o]);
  }
  for (const [prefix, group] of byPrefix) {
    const symbol = names.text(prefix.replace(/-$/, ''));
    const taken = [...names.map.values()].filter((v) => v.startsWith(`<${kind} ${symbol}~`)).length;
    const key = (o: KubeObject) => `${o.metadata.creationTimestamp ?? ''} ${JSON.stringify(deep(o.spec ?? {}, names))}`;
    group.sort((a, b) => key(a).localeCompare(key(b)));
    group.forEach((o, i) => names.set(o.metadata.name, `<${kind} ${symbol}~${taken + i + 1}>`));
  }
}

export async function snapshot(side: Side, names: Names): Promise<Snapshot> {
  const ironcoreObjs = new Map<string, KubeObject[]>();
  const apinetObjs = new Map<string, KubeObject[]>();
  await Promise.all([
    ...PRIMARY_KINDS.map(async (k) => ironcoreObjs.set(k, (await listAll(side.ironcore, ironcore[k])).filter((o) => !SYSTEM_NAMESPACES.has(o.metadata.namespace!)))),
    ...APINET_KINDS.map(async (k) => apinetObjs.set(k, await listAll(side.apinet, apinet[k], side.apinetNamespace))),
  ]);
  for (const kind of PRIMARY_KINDS) for (const o of ironcoreObjs.get(kind)!) names.set(o.metadata.uid, `<${kind}/${o.metadata.namespace}/${o.metadata.name}>`);
  // apinet names first (they embed ironcore UIDs; server-generated ones are numbered per prefix in
  // creation order), then their UIDs and allocated values.
  // The IP objects of a NATGateway present in this snapshot are named per snapshot by their place
  // in its spec.ips (below); the rest keep their generated numbering.
  const natGateways = new Map(apinetObjs.get('NATGateway')!.map((o) => [o.metadata.uid!, o]));
  const natOwner = (o: KubeObject) => natGateways.get((o.metadata.ownerReferences ?? []).find((r) => r.kind === 'NATGateway' && r.controller)?.uid ?? '');
  for (const kind of APINET_KINDS) nameGenerated(kind, kind === 'IP' ? apinetObjs.get(kind)!.filter((o) => !natOwner(o)) : apinetObjs.get(kind)!, names);
  // Public addresses are named in every snapshot anew (the server can hand a released address to
  // the next claimer), first by the IP object that holds it (VirtualIPs, NATGateways), then by a
  // LoadBalancer entry (the server's ipaddressgc can release a new LoadBalancer's ephemeral IP
  // object, apinet-api.md §6.3, and the LB keeps the address), then by a NATGateway entry.
  names.overlay = new Map();
  // A NATGateway's IP object is `<IP #i of NATGateway>` when its address is entry i of the gateway's
  // spec.ips, else `<IP leaked by NATGateway ~n>`: ironcore-net v0.3.0's allocator creates the IP
  // object inside the update, and the update's revert (a conflict, e.g. the autoscaler's optimistic
  // lock) releases the old addresses instead of the ones it just allocated (ipallocator
  // allocators.go, AllocateUpdate's RevertFunc), so the new IP object stays, claimed by the gateway
  // and in none of its entries. Which update conflicts is timing, on either side (allow.ts).
  const leaked = new Map<string, number>();
  const natIps = apinetObjs.get('IP')!.filter((o) => natOwner(o)).sort((a, b) => `${a.metadata.creationTimestamp} ${a.metadata.name}`.localeCompare(`${b.metadata.creationTimestamp} ${b.metadata.name}`));
  for (const o of natIps) {
    const gw = natOwner(o)!;
    const gwName = names.text(gw.metadata.name!);
    const i = (((gw.spec ?? {}) as { ips?: { ip?: string }[] }).ips ?? []).findIndex((e) => e.ip && e.ip === (o.spec as { ip?: string } | undefined)?.ip);
    const n = (leaked.get(gwName) ?? 0) + (i < 0 ? 1 : 0);
    leaked.set(gwName, n);
    const symbol = i >= 0 ? `<IP #${i} of ${gwName}>` : `<IP leaked by ${gwName} ~${n}>`;
    names.overlay.set(o.metadata.name!, symbol);
    names.overlay.set(o.metadata.uid!, `<apinet IP/${symbol}>`);
  }
  const address = (ip: string | undefined, symbol: string) => {
    if (ip && !names.overlay.has(ip)) names.overlay.set(ip, symbol);
  };
  for (const o of apinetObjs.get('IP')!) {
    if ((o.metadata.ownerReferences ?? []).some((r) => r.kind === 'LoadBalancer')) continue;
    address((o.spec as { ip?: string } | undefined)?.ip, `<ip of ${names.text(o.metadata.name!)}>`);
  }
  for (const o of apinetObjs.get('LoadBalancer')!) {
    for (const e of ((o.spec ?? {}) as { ips?: { name?: string; ip?: string }[] }).ips ?? []) address(e.ip, `<ip ${e.name} of LoadBalancer ${names.text(o.metadata.name!)}>`);
  }
  for (const o of apinetObjs.get('NATGateway')!) {
    (((o.spec ?? {}) as { ips?: { ip?: string }[] }).ips ?? []).forEach((e, i) => address(e.ip, `<ip #${i} of NATGateway ${names.text(o.metadata.name!)}>`));
  }
  for (const kind of APINET_KINDS) {
    for (const o of apinetObjs.get(kind)!) {
      const name = names.text(o.metadata.name!);
      if (!names.overlay.has(o.metadata.uid!)) names.set(o.metadata.uid, `<apinet ${kind}/${name}>`);
      const spec = (o.spec ?? {}) as { id?: string };
      if (kind === 'Network' && spec.id) names.set(`vni:${spec.id}`, `<vni of ${name}>`);
    }
  }
  const snap: Snapshot = {};
  for (const kind of PRIMARY_KINDS) {
    for (const o of ironcoreObjs.get(kind)!) {
      const spec = (o.spec ?? {}) as { providerID?: string };
      snap[`ironcore ${kind} ${o.metadata.namespace}/${o.metadata.name}`] = deep(
        {
          finalizers: [...(o.metadata.finalizers ?? [])].sort(),
          deleting: !!o.metadata.deletionTimestamp,
          providerID: spec.providerID ? providerId(spec.providerID, names) : undefined,
          ...(kind === 'VirtualIP' ? { targetRef: (o.spec as { targetRef?: unknown }).targetRef } : {}),
          status: o.status ?? {},
        },
        names,
      );
    }
  }
  for (const kind of APINET_KINDS) {
    for (const o of apinetObjs.get(kind)!) {
      const spec = { ...((o.spec ?? {}) as Record<string, unknown>) };
      if (kind === 'Network' && typeof spec.id === 'string') spec.id = names.text(`vni:${spec.id}`);
      // The NATGatewayAutoscaler names the entries it adds at random; the IP identifies them.
      if (kind === 'NATGateway' && Array.isArray(spec.ips)) spec.ips = spec.ips.map((e: { name?: string }) => ({ ...e, name: '<autoscaler>' }));
      if (kind === 'Network' && Array.isArray(spec.peerings)) spec.peerings = spec.peerings.map((p: { id?: string }) => ({ ...p, id: names.text(`vni:${p.id}`) }));
      snap[`apinet ${kind} ${names.text(o.metadata.name!)}`] = deep(
        {
          labels: o.metadata.labels ?? {},
          annotations: o.metadata.annotations ?? {},
          ownerReferences: (o.metadata.ownerReferences ?? []).map(({ uid, ...rest }) => ({ ...rest, uid: names.text(uid) })),
          deleting: !!o.metadata.deletionTimestamp,
          spec,
        },
        names,
      );
    }
  }
  // An address the pool gave out twice (the server's ipaddressgc released it while it was held,
  // apinet-api.md §6.3) is named after its first holder in list order, which differs between the
  // sides; an IP object's own address, and its VirtualIP's status, always name the IP object itself.
  for (const o of apinetObjs.get('IP')!) {
    const self = names.text(o.metadata.name!);
    const ip = (o.spec as { ip?: string } | undefined)?.ip;
    const v = snap[`apinet IP ${self}`] as { spec?: { ip?: string }; labels?: Record<string, string> } | undefined;
    if (!ip || !v || (o.metadata.ownerReferences ?? []).some((r) => r.kind === 'LoadBalancer')) continue;
    const own = `<ip of ${self}>`;
    if (v.spec?.ip) v.spec.ip = own;
    if (v.labels?.['apinet.ironcore.dev/ip']) v.labels['apinet.ironcore.dev/ip'] = own;
    const vip = /^<VirtualIP\/([^/]*)\/([^>]*)>$/.exec(self);
    const status = vip ? (snap[`ironcore VirtualIP ${vip[1]}/${vip[2]}`] as { status?: { ip?: string } } | undefined)?.status : undefined;
    if (status?.ip && names.overlay.get(ip) === status.ip) status.ip = own;
  }
  // The same for a NATGateway entry whose IP object exists: its address names that IP object, in
  // the apinet gateway and in the ironcore status, even when the pool gave it out twice.
  for (const o of apinetObjs.get('NATGateway')!) {
    const gwName = names.text(o.metadata.name!);
    const v = snap[`apinet NATGateway ${gwName}`] as { spec?: { ips?: { ip?: string }[] } } | undefined;
    const m = /^<NATGateway\/([^/]*)\/([^>]*)>$/.exec(gwName);
    const status = m ? (snap[`ironcore NATGateway ${m[1]}/${m[2]}`] as { status?: { ips?: unknown[] } } | undefined)?.status : undefined;
    (((o.spec ?? {}) as { ips?: { ip?: string }[] }).ips ?? []).forEach((e, i) => {
      const self = `<IP #${i} of ${gwName}>`;
      if (!e.ip || ![...names.overlay.values()].includes(self)) return;
      const before = names.text(e.ip);
      const own = `<ip of ${self}>`;
      const entry = v?.spec?.ips?.[i];
      if (entry?.ip) entry.ip = own;
      if (Array.isArray(status?.ips)) status.ips = status.ips.map((x) => (x === before ? own : x));
    });
  }
  return snap;
}

export interface Difference {
  key: string;
  go: unknown;
  ts: unknown;
}

export function differences(go: Snapshot, ts: Snapshot): Difference[] {
  const keys = [...new Set([...Object.keys(go), ...Object.keys(ts)])].sort();
  return keys.filter((k) => JSON.stringify(go[k]) !== JSON.stringify(ts[k])).map((key) => ({ key, go: go[key], ts: ts[key] }));
}
