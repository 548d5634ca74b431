/**
 * Server-side allocation of the apinet API server (apinet-api.md §6, behavior.md SRV-01…05):
 * network VNIs, public IP addresses from the pools, and claimer IPs of public LoadBalancers,
 * NATGateways and NetworkInterfaces. The allocation state is derived from the stored objects
 * (the `spec.id` of every Network, the `spec.ip` of every IP) instead of the real server's
 * NetworkID / IPAddress objects, so a restart or a dry run can never leave a stale reservation.
 */
import { ApiError, type HookContext, type KindRef, type KubeObject } from '../types.ts';
import { asArray, asRecord } from './field.ts';
import { addrAt, addrInPrefix, canonicalIp, formatAddr, parseAddr, parsePrefix, prefixSize, type IPFamily, type Prefix } from './netip.ts';

export const APINET_GROUP = 'core.apinet.ironcore.dev';
export const IP_REF: KindRef = { group: APINET_GROUP, version: 'v1alpha1', resource: 'ips' };
export const NETWORK_REF: KindRef = { group: APINET_GROUP, version: 'v1alpha1', resource: 'networks' };
export const LABEL_IP_FAMILY = 'apinet.ironcore.dev/ip-family';
export const LABEL_IP = 'apinet.ironcore.dev/ip';

/** SRV-01: apiserver defaults `--min-vni` / `--max-vni`. */
export const MIN_VNI = 200;
export const MAX_VNI = 2 ** 24 - 1;

/**
 * SRV-02: default public pools. IPv4 as the tests expect; IPv6 is our choice: a /112 of the
 * documentation range (65 536 addresses) that cannot collide with the ULA addresses used inside
 * networks.
 */
export const DEFAULT_PUBLIC_POOLS = { IPv4: '10.0.0.0/24', IPv6: '2001:db8::/112' } as const;

export type PublicPools = Record<IPFamily, Prefix[]>;

export function parsePools(opts?: { IPv4?: string; IPv6?: string }): PublicPools {
  const pools: PublicPools = { IPv4: [], IPv6: [] };
  for (const family of ['IPv4', 'IPv6'] as const) {
    const text = opts?.[family] ?? DEFAULT_PUBLIC_POOLS[family];
    for (const cidr of text.split(',').map((s) => s.trim()).filter(Boolean)) {
      const p = parsePrefix(cidr);
      if (!p || p.addr.family !== family || p.bits < 2) {
        throw new Error(`apinet emulator: public pool ${JSON.stringify(cidr)} for ${family} is not a ${family} CIDR of length /2 or longer; fix publicPools.${family}`);
      }
      pools[family].push(p);
    }
  }
  return pools;
}

/** Plain Go errors from the registry hooks surface as 500 without a reason (apinet-api.md §3.2). */
export const internalError = (message: string) => new ApiError(500, '', message);

const randomBelow = (n: bigint): bigint => {
  const cap = n > 2n ** 52n ? 2n ** 52n : n;
  return BigInt(Math.floor(Math.random() * Number(cap)));
};

// ---- SRV-01: Network spec.id ---------------------------------------------------------------------

function usedVnis(ctx: HookContext, except?: string): Set<number> {
  const used = new Set<number>();
  for (const n of ctx.store.list(NETWORK_REF)) {
    if (except && n.metadata.uid === except) continue;
    const id = Number(asRecord(n['spec'])['id']);
    if (Number.isInteger(id)) used.add(id);
  }
  return used;
}

/** Fills `spec.id` of a Network being created, or checks an explicit one (§6.1). */
export function allocateNetworkId(obj: KubeObject, ctx: HookContext): void {
  const spec = asRecord(obj['spec']);
  obj['spec'] = spec;
  const given = spec['id'];
  if (given !== undefined && given !== null && given !== '') {
    const text = String(given);
    const n = /^[+-]?[0-9]+$/.test(text) ? Number(text) : NaN;
    if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) throw internalError(`invalid VNI ${JSON.stringify(text)}`);
    if (n < MIN_VNI || n > MAX_VNI) throw internalError('the provided ID is not in range');
    if (usedVnis(ctx, obj.metadata.uid).has(n)) throw internalError('provided ID is already allocated');
    return;
  }
  if (ctx.dryRun) {
    spec['id'] = String(MIN_VNI); // §6.1: a dry run answers the minimum without reserving.
    return;
  }
  const used = usedVnis(ctx);
  const span = MAX_VNI - MIN_VNI;
  const start = MIN_VNI + Math.floor(Math.random() * span);
  for (let k = 0; k <= span; k++) {
    const candidate = MIN_VNI + ((start - MIN_VNI + k) % (span + 1));
    if (!used.has(candidate)) {
      spec['id'] = String(candidate);
      return;
    }
  }
  throw internalError('all IDs are allocated');
}

// ---- SRV-02: public IP addresses -----------------------------------------------------------------

function usedAddresses(ctx: HookContext, exceptUid?: string): Set<string> {
  const used = new Set<string>();
  for (const ip of ctx.store.list(IP_REF)) {
    if (exceptUid && ip.metadata.uid === exceptUid) continue;
    const a = asRecord(ip['spec'])['ip'];
    if (typeof a === 'string') used.add(canonicalIp(a));
  }
  return used;
}

/** Picks a free address of `family` (random start, sequential with wrap-around, §6.2). */
export function allocateAddress(family: unknown, pools: PublicPools, ctx: HookContext, ipName: string): string {
  const prefixes = family === 'IPv4' || family === 'IPv6' ? pools[family] : [];
  if (prefixes.length === 0) throw internalError(`cannot allocate IPs of family ${String(family ?? '')}`);
  if (ctx.dryRun) return formatAddr(prefixes[0]!.addr);
  const used = usedAddresses(ctx);
  for (const p of prefixes) {
    const size = prefixSize(p);
    const offset = randomBelow(size);
    for (let k = 0n; k < size; k++) {
      const text = formatAddr(addrAt(p, (offset + k) % size));
      if (!used.has(text)) return text;
    }
  }
  throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ips.${APINET_GROUP} "${ipName}": all IP addresses are already allocated`, {
    name: ipName,
    group: APINET_GROUP,
    kind: 'ips',
  });
}

/** SRV-02: allocate or check `spec.ip` of an IP being created and add the two labels. */
export function allocateIpObject(obj: KubeObject, pools: PublicPools, ctx: HookContext): void {
  const spec = asRecord(obj['spec']);
  obj['spec'] = spec;
  const family = spec['ipFamily'];
  if (typeof spec['ip'] === 'string') {
    const addr = parseAddr(spec['ip'])!;
    const text = formatAddr(addr);
    const inPool = (family === 'IPv4' || family === 'IPv6' ? pools[family] : []).some((p) => addrInPrefix(p, addr));
    if (!inPool) throw internalError(`error allocating IP ${text}: the provided IP is not in range`);
    if (usedAddresses(ctx, obj.metadata.uid).has(text)) throw internalError(`error allocating IP ${text}: provided IP is already allocated`);
  } else {
    spec['ip'] = allocateAddress(family, pools, ctx, obj.metadata.name ?? '');
  }
  obj.metadata.labels = { ...(obj.metadata.labels ?? {}), [LABEL_IP_FAMILY]: String(family), [LABEL_IP]: String(spec['ip']).replaceAll(':', '-') };
}

// ---- SRV-03/04/05: claimer IPs -------------------------------------------------------------------

export interface ClaimerKind {
  kind: 'LoadBalancer' | 'NATGateway' | 'NetworkInterface';
  resource: 'loadbalancers' | 'natgateways' | 'networkinterfaces';
  /** The list of requests in `spec`. */
  list: 'ips' | 'publicIPs';
  /** Whether this object allocates at all (Internal LoadBalancers do not, SRV-04). */
  allocates(obj: KubeObject): boolean;
  /** Family of one request (NATGateway: `spec.ipFamily`, others: the entry's `ipFamily`). */
  family(entry: Record<string, unknown>, obj: KubeObject): unknown;
}

interface Request {
  entry: Record<string, unknown>;
  family: unknown;
  ip: string | undefined;
}

function requests(c: ClaimerKind, obj: KubeObject | undefined): Request[] {
  if (!obj || !c.allocates(obj)) return [];
  return asArray(asRecord(obj['spec'])[c.list]).map((e) => {
    const entry = asRecord(e);
    const ip = typeof entry['ip'] === 'string' ? canonicalIp(entry['ip']) : undefined;
    return { entry, family: c.family(entry, obj), ip };
  });
}

const claimRefOf = (c: ClaimerKind, obj: KubeObject) => ({ group: APINET_GROUP, resource: c.resource, name: obj.metadata.name, uid: obj.metadata.uid });

/** IP objects of `namespace` carrying the address labels of `ip` (the real claim lookup, §6.3). */
function ipsByLabels(ctx: HookContext, namespace: string | undefined, family: unknown, ip: string): KubeObject[] {
  const label = ip.replaceAll(':', '-');
  return ctx.store
    .list(IP_REF, namespace)
    .filter((o) => o.metadata.labels?.[LABEL_IP_FAMILY] === family && o.metadata.labels?.[LABEL_IP] === label);
}

/**
 * BeginCreate / BeginUpdate: requests whose address the old object already had stay untouched;
 * entries without `ip` get a fresh ephemeral IP owned and claimed by the object; entries with an
 * `ip` claim the existing IP object with that address.
 */
export function allocateClaimerIps(c: ClaimerKind, obj: KubeObject, old: KubeObject | undefined, ctx: HookContext): void {
  const kept = new Set(requests(c, old).flatMap((r) => (r.ip ? [r.ip] : [])));
  const ns = obj.metadata.namespace;
  for (const r of requests(c, obj)) {
    if (r.ip && kept.has(r.ip)) continue;
    if (!r.ip) {
      const ip = ctx.store.create(IP_REF, {
        apiVersion: `${APINET_GROUP}/v1alpha1`,
        kind: 'IP',
        metadata: {
          generateName: `${obj.metadata.name}-`,
          namespace: ns,
          ownerReferences: [{ apiVersion: `${APINET_GROUP}/v1alpha1`, kind: c.kind, name: obj.metadata.name!, uid: obj.metadata.uid!, controller: true, blockOwnerDeletion: true }],
        },
        spec: { type: 'Public', ipFamily: r.family, claimRef: claimRefOf(c, obj) },
      });
      r.entry['ip'] = asRecord(ip['spec'])['ip'];
      continue;
    }
    const found = ipsByLabels(ctx, ns, r.family, r.ip);
    if (found.length === 0) throw internalError(`error claiming IP ${r.ip} for ${c.resource} ${ns}/${obj.metadata.name}: provided IP was not found`);
    if (found.length > 1) throw internalError(`error claiming IP ${r.ip} for ${c.resource} ${ns}/${obj.metadata.name}: multiple IPs found for address`);
    const target = found[0]!;
    const claim = asRecord(asRecord(target['spec'])['claimRef']);
    if (claim['uid'] && claim['uid'] !== obj.metadata.uid) {
      throw internalError(`error claiming IP ${r.ip} for ${c.resource} ${ns}/${obj.metadata.name}: provided IP is already allocated`);
    }
    if (claim['uid'] !== obj.metadata.uid && !ctx.dryRun) {
      ctx.store.update(IP_REF, { ...target, spec: { ...asRecord(target['spec']), claimRef: claimRefOf(c, obj) } });
    }
  }
}

/** Release of address `ip` held by `claimer`: delete it if ephemeral (claimed and controlled), else unclaim. */
function release(ctx: HookContext, claimer: KubeObject, ip: string): void {
  const uid = claimer.metadata.uid;
  for (const o of ctx.store.list(IP_REF, claimer.metadata.namespace)) {
    const spec = asRecord(o['spec']);
    if (typeof spec['ip'] !== 'string' || canonicalIp(spec['ip']) !== ip) continue;
    const claimed = asRecord(spec['claimRef'])['uid'] === uid;
    const controlled = (o.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === uid);
    if (claimed && controlled) ctx.store.delete(IP_REF, o.metadata.namespace, o.metadata.name!);
    else if (claimed) {
      const { claimRef: _dropped, ...rest } = spec;
      ctx.store.update(IP_REF, { ...o, spec: rest });
    }
  }
}

/** After a committed update: release the addresses the object no longer requests. */
export function releaseDroppedClaims(c: ClaimerKind, obj: KubeObject, old: KubeObject | undefined, ctx: HookContext): void {
  const now = new Set(requests(c, obj).flatMap((r) => (r.ip ? [r.ip] : [])));
  for (const r of requests(c, old)) if (r.ip && !now.has(r.ip)) release(ctx, obj, r.ip);
}

/** After the claimer is gone: release everything it requested. */
export function releaseAllClaims(c: ClaimerKind, obj: KubeObject, ctx: HookContext): void {
  for (const r of requests(c, obj)) if (r.ip) release(ctx, obj, r.ip);
}
