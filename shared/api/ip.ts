import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/**
 * IP addresses and prefixes as both clusters serialise them (ironcore-api.md 2.1/2.2,
 * apinet-api.md 2.1): strings parsed like Go's `netip.ParseAddr` / `netip.ParsePrefix` and
 * printed like `netip.Addr.String()`. Parsing is delegated to ipaddr.js; the few places where
 * ipaddr.js is more lenient than Go (leading zeros, `::a.b.c.d` read as IPv4-mapped, zone
 * syntax) are narrowed here.
 */

export const IP_FAMILIES = ['IPv4', 'IPv6'] as const;
export const IPFamily = z.enum(IP_FAMILIES);
export type IPFamily = z.infer<typeof IPFamily>;

interface ParsedIP {
  readonly family: IPFamily;
  /** Address without zone, canonical (Go netip) text. */
  readonly address: string;
  readonly zone: string | undefined;
  readonly bits: 32 | 128;
  readonly bytes: number[];
}

// Go rejects octets with leading zeros and anything but four decimal parts.
const isFourPartDecimal = (s: string): boolean => ipaddr.IPv4.isValidFourPartDecimal(s);

/** Replaces a dotted IPv4 tail of an IPv6 literal by two hex groups (ipaddr.js would turn `::1.2.3.4` into a mapped address). */
function hexTail(v6: string): string | undefined {
  const lastColon = v6.lastIndexOf(':');
  if (lastColon < 0) return undefined;
  const tail = v6.slice(lastColon + 1);
  if (!tail.includes('.')) return v6;
  if (!isFourPartDecimal(tail)) return undefined;
  const [a, b, c, d] = ipaddr.IPv4.parse(tail).octets;
  return `${v6.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

function formatV6(addr: ipaddr.IPv6): string {
  // netip prints IPv4-mapped addresses with a dotted tail; everything else RFC 5952.
  if (addr.isIPv4MappedAddress()) return `::ffff:${addr.toIPv4Address().toString()}`;
  return new ipaddr.IPv6(addr.parts).toRFC5952String();
}

function parseIP(text: string, allowZone: boolean): ParsedIP | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  if (!text.includes(':')) {
    if (!isFourPartDecimal(text)) return undefined;
    const v4 = ipaddr.IPv4.parse(text);
    return { family: 'IPv4', address: v4.toString(), zone: undefined, bits: 32, bytes: v4.toByteArray() };
  }
  const pct = text.indexOf('%');
  const zone = pct >= 0 ? text.slice(pct + 1) : undefined;
  if (zone !== undefined && (!allowZone || zone === '')) return undefined;
  const body = hexTail(pct >= 0 ? text.slice(0, pct) : text);
  if (body === undefined || !ipaddr.IPv6.isValid(body)) return undefined;
  const v6 = ipaddr.IPv6.parse(body);
  return { family: 'IPv6', address: formatV6(v6), zone, bits: 128, bytes: v6.toByteArray() };
}

interface ParsedPrefix {
  readonly ip: ParsedIP;
  readonly length: number;
}

function parsePrefix(text: string): ParsedPrefix | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.lastIndexOf('/');
  if (slash < 0) return undefined;
  const lenText = text.slice(slash + 1);
  // Go: decimal, no sign, no leading zeros.
  if (!/^(0|[1-9][0-9]{0,2})$/.test(lenText)) return undefined;
  const ip = parseIP(text.slice(0, slash), false);
  if (!ip) return undefined;
  const length = Number(lenText);
  if (length > ip.bits) return undefined;
  return { ip, length };
}

export function isValidIP(text: string): boolean {
  return parseIP(text, true) !== undefined;
}

export function isValidPrefix(text: string): boolean {
  return parsePrefix(text) !== undefined;
}

function mustIP(text: string): ParsedIP {
  const p = parseIP(text, true);
  if (!p) throw new TypeError(`invalid IP address ${JSON.stringify(text)}: expected e.g. "10.0.0.1" or "fd00::1"`);
  return p;
}

function mustPrefix(text: string): ParsedPrefix {
  const p = parsePrefix(text);
  if (!p) throw new TypeError(`invalid IP prefix ${JSON.stringify(text)}: expected "<address>/<bits>", e.g. "10.0.0.0/24"`);
  return p;
}

/** Go `netip.Addr.String()` form: IPv6 compressed lower-case, IPv4-mapped with dotted tail, zone kept. */
export function canonicalIP(text: string): string {
  const p = mustIP(text);
  return p.zone === undefined ? p.address : `${p.address}%${p.zone}`;
}

/** Go `netip.Prefix.String()` form; host bits are kept (prefixes are not masked). */
export function canonicalPrefix(text: string): string {
  const p = mustPrefix(text);
  return `${p.ip.address}/${p.length}`;
}

/** `IPv4` for 4-byte addresses, otherwise `IPv6` (an IPv4-mapped literal stays IPv6). Accepts an IP or a prefix. */
export function ipFamilyOf(ipOrPrefix: string): IPFamily {
  return ipOrPrefix.includes('/') ? mustPrefix(ipOrPrefix).ip.family : mustIP(ipOrPrefix).family;
}

/** The address part of a prefix, unmasked (`10.0.0.5/24` → `10.0.0.5`), as the apinetlet uses `prefix.Addr()`. */
export function prefixBaseAddress(prefix: string): string {
  return mustPrefix(prefix).ip.address;
}

/** Prefix length of a prefix string. */
export function prefixLength(prefix: string): number {
  return mustPrefix(prefix).length;
}

/** A single-address prefix: `ip/32` or `ip/128` (zone dropped, as prefixes carry none). */
export function hostPrefix(ip: string): string {
  const p = mustIP(ip);
  return `${p.address}/${p.bits}`;
}

/** Whether `inner` lies inside `outer` (same family, longer or equal length, same masked bits). */
export function prefixContains(outer: string, inner: string): boolean {
  const o = mustPrefix(outer);
  const i = mustPrefix(inner);
  if (o.ip.family !== i.ip.family || i.length < o.length) return false;
  for (let bit = 0; bit < o.length; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((o.ip.bytes[byte] & mask) !== (i.ip.bytes[byte] & mask)) return false;
  }
  return true;
}

/**
 * Schema of an IP string; parsing yields the canonical form (as a Go server re-encodes it).
 * Use `.nullish()` for fields Go may emit as `null` when unset.
 */
export const IP = z
  .string()
  .refine(isValidIP, { error: (iss) => `invalid IP address ${JSON.stringify(iss.input)}: expected e.g. "10.0.0.1" or "fd00::1" (no leading zeros)` })
  .overwrite((s) => (isValidIP(s) ? canonicalIP(s) : s));
export type IP = z.infer<typeof IP>;

/** Schema of a prefix string `<address>/<bits>`; host bits kept, address canonicalised. */
export const IPPrefix = z
  .string()
  .refine(isValidPrefix, { error: (iss) => `invalid IP prefix ${JSON.stringify(iss.input)}: expected "<address>/<bits>", e.g. "10.0.0.0/24"` })
  .overwrite((s) => (isValidPrefix(s) ? canonicalPrefix(s) : s));
export type IPPrefix = z.infer<typeof IPPrefix>;
