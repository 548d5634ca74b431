/**
 * Validation of the apinet API server (`internal/apis/core/validation`, apinet-api.md §5),
 * with its error paths as the real server prints them, quirks included (§12.12: `ips[i]`
 * without `spec.` on NetworkInterface, `spec.nats[i]` for `natGateways`, `spec.ips[i]` for a
 * LoadBalancer IP family).
 */
import type { FieldCause, KubeObject } from '../types.ts';
import { asArray, asRecord, dnsLabel, duplicate, enumCheck, forbidden, invalid, labelSelector, required, selectorMatches, semanticEqual } from './field.ts';
import { parseAddr } from './netip.ts';
import { policyPeer, policyPort } from './policy-fields.ts';

type Rec = Record<string, unknown>;
const specOf = (o: KubeObject | undefined): Rec => asRecord(o?.['spec']);
const present = (v: unknown) => v !== undefined && v !== null;
const FAMILIES = ['IPv4', 'IPv6'];
const familyEnum = (v: unknown, path: string) => enumCheck(v, FAMILIES, path, 'must specify ipFamily');

/** `spec.<field>` immutable on update: Invalid "field is immutable" (ValidateImmutableField). */
function immutable(obj: KubeObject, old: KubeObject | undefined, fields: string[]): FieldCause[] {
  if (!old) return [];
  const n = specOf(obj);
  const o = specOf(old);
  return fields.filter((f) => !semanticEqual(n[f], o[f])).map((f) => invalid(`spec.${f}`, n[f] ?? null, 'field is immutable'));
}

/** An IP value whose family must equal `family`. */
function ipOfFamily(ip: unknown, family: unknown, path: string): FieldCause[] {
  if (!present(ip)) return [];
  const a = typeof ip === 'string' ? parseAddr(ip) : undefined;
  if (!a) return [invalid(path, ip, 'must specify a valid IP')];
  return a.family === family ? [] : [invalid(path, ip, `IP should have family ${String(family ?? '')}`)];
}

export function validateNetwork(obj: KubeObject, old: KubeObject | undefined): FieldCause[] {
  return immutable(obj, old, ['id']);
}

export function validateIp(obj: KubeObject, old: KubeObject | undefined): FieldCause[] {
  const sp = specOf(obj);
  const out = [...enumCheck(sp['type'], ['Public'], 'spec.type', 'must specify type'), ...familyEnum(sp['ipFamily'], 'spec.ipFamily')];
  if (FAMILIES.includes(sp['ipFamily'] as string)) out.push(...ipOfFamily(sp['ip'], sp['ipFamily'], 'spec.ip'));
  return [...out, ...immutable(obj, old, ['type', 'ipFamily', 'ip'])];
}

export function validateLoadBalancer(obj: KubeObject, old: KubeObject | undefined): FieldCause[] {
  const sp = specOf(obj);
  const out = enumCheck(sp['type'], ['Internal', 'Public'], 'spec.type', 'must specify type');
  asArray(sp['ips']).forEach((e, i) => {
    const entry = asRecord(e);
    const fam = familyEnum(entry['ipFamily'], `spec.ips[${i}]`);
    out.push(...fam);
    if (fam.length === 0) out.push(...ipOfFamily(entry['ip'], entry['ipFamily'], `spec.ips[${i}].ip`));
  });
  out.push(...labelSelector(sp['selector'], 'spec.selector'));
  const tplLabels = asRecord(asRecord(asRecord(sp['template'])['metadata'])['labels']) as Record<string, string>;
  if (!present(sp['selector']) || !selectorMatches(sp['selector'], tplLabels)) {
    out.push(invalid('spec.template.labels', tplLabels, '`selector` does not match template `labels`'));
  }
  return [...out, ...immutable(obj, old, ['type', 'networkRef', 'selector'])];
}

export function validateNATGateway(obj: KubeObject, old: KubeObject | undefined): FieldCause[] {
  const sp = specOf(obj);
  const out = familyEnum(sp['ipFamily'], 'spec.ipFamily');
  if (out.length === 0) asArray(sp['ips']).forEach((e, i) => out.push(...ipOfFamily(asRecord(e)['ip'], sp['ipFamily'], `spec.ips[${i}].ip`)));
  return [...out, ...immutable(obj, old, ['ipFamily', 'networkRef'])];
}

/** NATGatewayAutoscaler: counts ≥ 0, max ≥ min with nil max counting as 0 (§12.10). */
export function validateNATGatewayAutoscaler(obj: KubeObject, old: KubeObject | undefined, sub: 'main' | 'status'): FieldCause[] {
  const sp = specOf(obj);
  const out: FieldCause[] = [];
  const min = sp['minPublicIPs'];
  const max = sp['maxPublicIPs'];
  if (present(min) && Number(min) < 0) out.push(invalid('spec.minPublicIPs', min, 'must be greater than or equal to 0'));
  if (present(max) && Number(max) < 0) out.push(invalid('spec.maxPublicIPs', max, 'must be greater than or equal to 0'));
  if (present(min) && Number(max ?? 0) < Number(min)) out.push(invalid('spec.maxPublicIPs', max ?? 0, 'must >= minPublicIPs'));
  // Immutability of natGatewayRef is only checked on /status writes (§12.10).
  if (sub === 'status') out.push(...immutable(obj, old, ['natGatewayRef']));
  return out;
}

export function validateNetworkInterface(obj: KubeObject, old: KubeObject | undefined): FieldCause[] {
  const sp = specOf(obj);
  const out: FieldCause[] = [];
  if (present(sp['hostname']) && sp['hostname'] !== '') out.push(...dnsLabel(sp['hostname'], 'spec.hostname'));
  if (!asRecord(sp['nodeRef'])['name']) out.push(required('spec.nodeRef.name', 'must specify target node'));
  const ipFamilies = new Set<string>();
  asArray(sp['ips']).forEach((ip, i) => {
    const a = typeof ip === 'string' ? parseAddr(ip) : undefined;
    if (!a) out.push(invalid(`ips[${i}]`, ip ?? null, 'must specify a valid IP'));
    else if (ipFamilies.has(a.family)) out.push(forbidden(`ips[${i}]`, `cannot specify multiple IPs of family ${a.family}`));
    else ipFamilies.add(a.family);
  });
  const external = new Set<unknown>();
  asArray(sp['publicIPs']).forEach((e, i) => {
    const entry = asRecord(e);
    const fam = familyEnum(entry['ipFamily'], `spec.publicIPs[${i}].ipFamily`);
    out.push(...fam);
    if (fam.length > 0) return;
    out.push(...ipOfFamily(entry['ip'], entry['ipFamily'], `spec.publicIPs[${i}].ip`));
    if (external.has(entry['ipFamily'])) out.push(forbidden(`spec.publicIPs[${i}]`, `cannot have multiple external IPs of family ${String(entry['ipFamily'])}`));
    external.add(entry['ipFamily']);
  });
  asArray(sp['natGateways']).forEach((e, i) => {
    const nat = asRecord(e);
    const fam = familyEnum(nat['ipFamily'], `spec.nats[${i}].ipFamily`);
    out.push(...fam);
    if (fam.length > 0) return;
    if (external.has(nat['ipFamily'])) out.push(forbidden(`spec.nats[${i}]`, `cannot have nat for already present external IP family ${String(nat['ipFamily'])}`));
    external.add(nat['ipFamily']);
  });
  return [...out, ...immutable(obj, old, ['networkRef', 'nodeRef', 'hostname', 'ips'])];
}

export function validateNetworkPolicy(obj: KubeObject, old: KubeObject | undefined): FieldCause[] {
  const sp = specOf(obj);
  const out: FieldCause[] = [];
  const netName = asRecord(sp['networkRef'])['name'];
  if (!netName) out.push(required('spec.networkRef.name', 'must specify network ref'));
  else out.push(...dnsLabel(netName, 'spec.networkRef.name'));
  out.push(...labelSelector(sp['networkInterfaceSelector'], 'spec.networkInterfaceSelector'));
  if (present(sp['priority']) && Number(sp['priority']) < 0) out.push(invalid('spec.priority', sp['priority'], 'priority cannot be negative'));
  for (const [dir, peers] of [['ingress', 'from'], ['egress', 'to']] as const) {
    asArray(sp[dir]).forEach((rv, i) => {
      const rule = asRecord(rv);
      asArray(rule[peers]).forEach((p, j) => out.push(...policyPeer(p, `spec.${dir}[${i}].${peers}[${j}]`, ['LoadBalancer', 'NetworkInterface'])));
      asArray(rule['ports']).forEach((p, k) => out.push(...policyPort(p, `spec.${dir}[${i}].ports[${k}]`)));
    });
  }
  const types = asArray(sp['policyTypes']);
  if (types.length === 0) out.push(required('spec.policyTypes', 'must specify policyTypes'));
  const seen = new Set<unknown>();
  types.forEach((t, k) => {
    out.push(...enumCheck(t, ['Egress', 'Ingress'], `spec.policyTypes[${k}]`, 'must specify type'));
    if (seen.has(t)) out.push(duplicate(`spec.policyTypes[${k}]`, t));
    seen.add(t);
  });
  return [...out, ...immutable(obj, old, ['networkRef'])];
}
