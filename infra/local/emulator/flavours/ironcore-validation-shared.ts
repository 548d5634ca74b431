/**
 * The shared sub-validators (A)–(J) of ironcore-api.md §8.2, with the real server's field paths
 * and messages (including its quirks: doubled prefix errors, `uID`, "ipo").
 */
import type { FieldCause } from '../types.ts';
import { asArray, asRecord, dnsLabel, dnsSubdomain, dnsSubdomainProblems, enumCheck, forbidden, invalid, labelMap, labelSelector, qualifiedNameProblems, required } from './field.ts';
import { parseAddr, parsePrefix } from './netip.ts';

type Rec = Record<string, unknown>;
export const IP_FAMILIES = ['IPv4', 'IPv6'] as const;
const isFamily = (f: unknown): f is 'IPv4' | 'IPv6' => f === 'IPv4' || f === 'IPv6';
const present = (v: unknown) => v !== undefined && v !== null;

export const ipFamilyEnum = (v: unknown, path: string) => enumCheck(v, IP_FAMILIES, path, 'must specify ipFamily');

/** (A) `ValidateIP`. */
export function validateIp(family: unknown, ip: unknown, path: string): FieldCause[] {
  const a = typeof ip === 'string' ? parseAddr(ip) : undefined;
  if (!a) return [invalid(path, ip ?? null, 'must specify a valid ip')];
  if (!isFamily(family)) return [invalid(path, ip, 'cannot determine ip family for ipo')];
  if (a.family !== family) return [invalid(path, ip, `expected ip family ${family} but got ${a.family}`)];
  return [];
}

/** (B) `ValidateIPPrefix`. */
export function validateIpPrefix(family: unknown, prefix: unknown, path: string): FieldCause[] {
  const p = typeof prefix === 'string' ? parsePrefix(prefix) : undefined;
  if (!p) return [invalid(path, prefix ?? null, 'must specify a valid prefix')];
  if (!isFamily(family)) return [invalid(path, prefix, 'cannot determine ip family for prefix')];
  if (p.addr.family !== family) return [invalid(path, prefix, `expected ip family ${family} but got ${p.addr.family}`)];
  return [];
}

/** (C) `ValidatePrefixLength`. */
export function validatePrefixLength(family: unknown, len: number, path: string): FieldCause[] {
  if (len <= 0) return [invalid(path, len, 'has to be > 0')];
  if (family === 'IPv4') return len > 32 ? [invalid(path, len, 'too large prefix length for IPv4 (max 32)')] : [];
  if (family === 'IPv6') return len > 128 ? [invalid(path, len, 'too large prefix length for IPv6 (max 128)')] : [];
  return [invalid(path, len, 'no ip family specified')];
}

/** (D) `ValidatePrefixSpec` at `P`. */
export function validatePrefixSpec(specValue: unknown, P: string): FieldCause[] {
  const s = asRecord(specValue);
  const out: FieldCause[] = [];
  const prefix = s['prefix'];
  const len = typeof s['prefixLength'] === 'number' ? s['prefixLength'] : 0;
  // Steps 1 and 3 both check the prefix: every prefix error is reported twice (§12.5).
  if (present(prefix)) out.push(...validateIpPrefix(s['ipFamily'], prefix, `${P}.prefix`));
  out.push(...ipFamilyEnum(s['ipFamily'], `${P}.ipFamily`));
  if (present(prefix)) out.push(...validateIpPrefix(s['ipFamily'], prefix, `${P}.prefix`));
  if (len !== 0) out.push(...validatePrefixLength(s['ipFamily'], len, `${P}.prefixLength`));
  const root = !present(s['parentRef']) && !present(s['parentSelector']);
  if (root) {
    if (len !== 0) out.push(invalid(`${P}.prefixLength`, len, 'cannot specify prefixLength for a root prefix'));
    if (!present(prefix)) out.push(required(`${P}.prefix`, 'must specify for root prefix'));
    return out;
  }
  const parsed = typeof prefix === 'string' ? parsePrefix(prefix) : undefined;
  if (len > 0 && parsed && len !== parsed.bits) out.push(invalid(`${P}.prefixLength`, len, `does not match prefix ${prefix}`));
  if (!present(prefix) && !(len > 0)) out.push(invalid(P, s, 'must specify either prefix or prefixLength'));
  if (present(s['parentRef'])) {
    const name = asRecord(s['parentRef'])['name'];
    if (!name) out.push(required(`${P}.parentRef.name`, 'must specify name'));
    out.push(...dnsSubdomain(name, `${P}.parentRef.name`));
  }
  out.push(...labelSelector(s['parentSelector'], `${P}.parentSelector`));
  return out;
}

/** ObjectMeta fields in Go struct order with their `lowerFirst(GoName)` error names (§8.2 E). */
const TEMPLATE_FORBIDDEN: [json: string, goName: string][] = [
  ['name', 'name'], ['generateName', 'generateName'], ['namespace', 'namespace'], ['selfLink', 'selfLink'],
  ['uid', 'uID'], ['resourceVersion', 'resourceVersion'], ['generation', 'generation'],
  ['creationTimestamp', 'creationTimestamp'], ['deletionTimestamp', 'deletionTimestamp'],
  ['deletionGracePeriodSeconds', 'deletionGracePeriodSeconds'], ['ownerReferences', 'ownerReferences'],
  ['finalizers', 'finalizers'], ['managedFields', 'managedFields'],
];

const isZero = (v: unknown) =>
  v === undefined || v === null || v === '' || v === 0 || (Array.isArray(v) && v.length === 0);

/** (E) template metadata at `M`. */
export function validateTemplateMeta(meta: unknown, M: string): FieldCause[] {
  const m = asRecord(meta);
  const out = labelMap(m['labels'], `${M}.labels`);
  for (const k of Object.keys(asRecord(m['annotations']))) {
    out.push(...qualifiedNameProblems(k.toLowerCase()).map((p) => invalid(`${M}.annotations`, k, p)));
  }
  for (const [json, goName] of TEMPLATE_FORBIDDEN) {
    if (!isZero(m[json])) out.push(forbidden(`${M}.${goName}`, 'cannot be set for an ephemeral prefix'));
  }
  return out;
}

/** (F) prefix template at `T`. */
export const validatePrefixTemplate = (tpl: unknown, T: string): FieldCause[] => [
  ...validateTemplateMeta(asRecord(tpl)['metadata'], `${T}.metadata`),
  ...validatePrefixSpec(asRecord(tpl)['spec'], `${T}.spec`),
];

/** (G) `spec.ips[i]` of a NIC or LoadBalancer; `prefixNameBase` is the object's name. */
export function validateIpSource(src: unknown, i: number, family: unknown, objName: string | undefined): FieldCause[] {
  const s = asRecord(src);
  const P = `spec.ips[${i}]`;
  const out: FieldCause[] = [];
  let sources = 0;
  if (present(s['value']) && typeof s['value'] === 'string' && parseAddr(s['value'])) {
    sources++;
    out.push(...validateIp(family, s['value'], `${P}.value`));
  }
  if (present(s['ephemeral'])) {
    if (sources > 0) {
      out.push(invalid(`${P}.ephemeral`, s['ephemeral'], 'cannot specify multiple ip sources'));
    } else {
      sources++;
      const T = `${P}.ephemeral.prefixTemplate`;
      const tpl = asRecord(s['ephemeral'])['prefixTemplate'];
      if (!present(tpl)) {
        out.push(required(T));
      } else {
        out.push(...validatePrefixTemplate(tpl, T));
        const ts = asRecord(asRecord(tpl)['spec']);
        const f = family ?? '';
        if ((ts['ipFamily'] ?? '') !== f) out.push(forbidden(`${T}.spec.ipFamily`, `has to match network interface ip family "${f}"`));
        const tp = typeof ts['prefix'] === 'string' ? parsePrefix(ts['prefix']) : undefined;
        if (present(ts['prefix']) && !(tp && tp.bits === tp.addr.bits)) out.push(forbidden(`${T}.spec.prefix`, 'must be a single IP'));
        const len = typeof ts['prefixLength'] === 'number' ? ts['prefixLength'] : 0;
        const single = f === 'IPv4' ? 32 : f === 'IPv6' ? 128 : 0;
        if (len !== 0 && len !== single) out.push(forbidden(`${T}.spec.prefixLength`, 'must be a single IP'));
      }
      if (objName) {
        const derived = `${objName}-${i}`;
        for (const p of dnsSubdomainProblems(derived)) out.push(invalid(P, s, `resulting prefix name "${derived}" is invalid: ${p}`));
      }
    }
  }
  if (sources === 0) out.push(invalid(P, s, 'must specify an ip source'));
  return out;
}

/** (H) `spec.prefixes[i]` of a NIC (template errors without the `prefixTemplate` segment, §12.4). */
export function validatePrefixSource(src: unknown, i: number, objName: string | undefined): FieldCause[] {
  const s = asRecord(src);
  const P = `spec.prefixes[${i}]`;
  const out: FieldCause[] = [];
  let sources = 0;
  if (typeof s['value'] === 'string' && parsePrefix(s['value'])) sources++;
  if (present(s['ephemeral'])) {
    if (sources > 0) {
      out.push(invalid(`${P}.ephemeral`, s['ephemeral'], 'cannot specify multiple ip sources'));
    } else {
      sources++;
      const tpl = asRecord(s['ephemeral'])['prefixTemplate'];
      if (!present(tpl)) out.push(required(`${P}.ephemeral`, 'must specify template'));
      else out.push(...validatePrefixTemplate(tpl, `${P}.ephemeral`));
      if (objName) {
        const derived = `${objName}-pf-${i}`;
        for (const p of dnsSubdomainProblems(derived)) out.push(invalid(P, s, `resulting prefix name "${derived}" is invalid: ${p}`));
      }
    }
  }
  if (sources === 0) out.push(invalid(P, s, 'must specify a prefix source'));
  return out;
}

/** (J) `VirtualIPSpec` at `P`. */
export function validateVirtualIpSpec(specValue: unknown, P: string): FieldCause[] {
  const s = asRecord(specValue);
  const out = [
    ...enumCheck(s['type'], ['Public'], `${P}.type`, 'must specify type'),
    ...ipFamilyEnum(s['ipFamily'], `${P}.ipFamily`),
  ];
  if (present(s['targetRef'])) out.push(...dnsSubdomain(asRecord(s['targetRef'])['name'], `${P}.targetRef.name`));
  return out;
}

/** (I) `spec.virtualIP` of a NIC. */
export function validateVirtualIpSource(src: unknown): FieldCause[] {
  const s = asRecord(src);
  const P = 'spec.virtualIP';
  const out: FieldCause[] = [];
  let sources = 0;
  if (present(s['virtualIPRef'])) {
    sources++;
    out.push(...dnsLabel(asRecord(s['virtualIPRef'])['name'], `${P}.virtualIPRef.name`));
  }
  if (present(s['ephemeral'])) {
    if (sources > 0) {
      out.push(invalid(`${P}.ephemeral`, s['ephemeral'], 'cannot specify multiple sources'));
    } else {
      sources++;
      const T = `${P}.ephemeral.virtualIPTemplate`;
      const tpl = asRecord(s['ephemeral'])['virtualIPTemplate'];
      if (!present(tpl)) out.push(required(T));
      else {
        out.push(...validateTemplateMeta(asRecord(tpl)['metadata'], `${T}.metadata`));
        out.push(...validateVirtualIpSpec(asRecord(tpl)['spec'], `${T}.spec`));
      }
    }
  }
  if (sources === 0) out.push(invalid(P, s, 'must specify a virtual ip source'));
  return out;
}

/** List helper: items of `spec[key]`. */
export const items = (obj: Rec, key: string): unknown[] => asArray(asRecord(obj['spec'])[key]);
