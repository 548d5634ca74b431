/**
 * IP addresses and prefixes with the parse and print rules of Go's `net/netip`, which both real
 * servers use (ironcore-api.md §2.1/2.2, apinet-api.md §2.1): strict dotted quads (no leading
 * zeros), RFC 4291 IPv6 with zones for addresses only, prefixes kept verbatim (host bits not
 * masked), IPv4-mapped IPv6 counts as IPv6.
 */

export type IPFamily = 'IPv4' | 'IPv6';

export interface Addr {
  family: IPFamily;
  bits: 32 | 128;
  value: bigint;
  zone?: string;
}

export interface Prefix {
  addr: Addr;
  bits: number;
}

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseV6(s: string): bigint | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): bigint[] | undefined => {
    if (part === '') return [];
    const out: bigint[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const g = items[i]!;
      if (i === items.length - 1 && g.includes('.')) {
        const v4 = parseV4(g);
        if (v4 === undefined) return undefined;
        out.push(v4 >> 16n, v4 & 0xffffn);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(BigInt(parseInt(g, 16)));
    }
    return out;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!head || !tail) return undefined;
  // A trailing embedded IPv4 is only allowed at the very end.
  if (halves.length === 2 && halves[0]!.includes('.')) return undefined;
  let groups: bigint[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...Array<bigint>(missing).fill(0n), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Go `netip.ParseAddr`. */
export function parseAddr(s: string): Addr | undefined {
  if (typeof s !== 'string' || s === '') return undefined;
  if (!s.includes(':')) {
    const v = parseV4(s);
    return v === undefined ? undefined : { family: 'IPv4', bits: 32, value: v };
  }
  let body = s;
  let zone: string | undefined;
  const pct = s.indexOf('%');
  if (pct >= 0) {
    zone = s.slice(pct + 1);
    body = s.slice(0, pct);
    if (zone === '') return undefined;
  }
  const v = parseV6(body);
  if (v === undefined) return undefined;
  return zone === undefined ? { family: 'IPv6', bits: 128, value: v } : { family: 'IPv6', bits: 128, value: v, zone };
}

/** Go `netip.ParsePrefix`: zones rejected, bits decimal without sign or leading zeros. */
export function parsePrefix(s: string): Prefix | undefined {
  if (typeof s !== 'string') return undefined;
  const slash = s.lastIndexOf('/');
  if (slash < 0) return undefined;
  const addr = parseAddr(s.slice(0, slash));
  const bitsText = s.slice(slash + 1);
  if (!addr || addr.zone !== undefined) return undefined;
  if (!/^(0|[1-9][0-9]*)$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > addr.bits) return undefined;
  return { addr, bits };
}

export function formatAddr(a: Addr): string {
  const zone = a.zone !== undefined ? `%${a.zone}` : '';
  if (a.bits === 32) return v4Text(a.value);
  if (a.value >> 32n === 0xffffn) return `::ffff:${v4Text(a.value & 0xffffffffn)}${zone}`;
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((a.value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (first on ties) of at least two zero groups.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  const text = bestStart < 0 ? hex(groups) : `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
  return text + zone;
}

function v4Text(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String(Number((v >> s) & 0xffn))).join('.');
}

export function formatPrefix(p: Prefix): string {
  return `${formatAddr(p.addr)}/${p.bits}`;
}

/** The address with the host bits of a `bits`-long prefix cleared. */
function masked(value: bigint, total: number, bits: number): bigint {
  const host = BigInt(total - bits);
  return (value >> host) << host;
}

/** Whether `inner` lies completely inside `outer` (same family, at least as long, same network). */
export function prefixContains(outer: Prefix, inner: Prefix): boolean {
  if (outer.addr.family !== inner.addr.family || inner.bits < outer.bits) return false;
  return masked(outer.addr.value, outer.addr.bits, outer.bits) === masked(inner.addr.value, inner.addr.bits, outer.bits);
}

export function prefixOverlaps(a: Prefix, b: Prefix): boolean {
  if (a.addr.family !== b.addr.family) return false;
  const bits = Math.min(a.bits, b.bits);
  return masked(a.addr.value, a.addr.bits, bits) === masked(b.addr.value, b.addr.bits, bits);
}

export function addrInPrefix(p: Prefix, a: Addr): boolean {
  return prefixContains(p, { addr: a, bits: a.bits });
}

/** Number of addresses in the prefix (network and broadcast included, as the apinet allocator counts). */
export function prefixSize(p: Prefix): bigint {
  return 1n << BigInt(p.addr.bits - p.bits);
}

/** The `offset`-th address of the prefix, counted from its masked network address. */
export function addrAt(p: Prefix, offset: bigint): Addr {
  const base = masked(p.addr.value, p.addr.bits, p.bits);
  return { family: p.addr.family, bits: p.addr.bits, value: base + offset };
}

/** Canonical text of an IP string, or the input unchanged when it does not parse. */
export function canonicalIp(s: string): string {
  const a = parseAddr(s);
  return a ? formatAddr(a) : s;
}
