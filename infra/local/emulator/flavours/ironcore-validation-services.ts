/**
 * ironcore validation (ironcore-api.md §8.6–8.9) for LoadBalancer, LoadBalancerRouting,
 * NATGateway and NetworkPolicy, including the real LoadBalancer port quirk (§8.6 L7, §12.2).
 */
import type { FieldCause, KubeObject } from '../types.ts';
import { asArray, asRecord, dnsSubdomain, enumCheck, forbidden, invalid, labelSelector, required, semanticEqual } from './field.ts';
import { parseAddr } from './netip.ts';
import { validateIpSource } from './ironcore-validation-shared.ts';
import { policyPeer, policyPort } from './policy-fields.ts';
import { familyList } from './ironcore-validation-network.ts';

type Rec = Record<string, unknown>;
const specOf = (o: KubeObject | undefined): Rec => asRecord(o?.['spec']);
const present = (v: unknown) => v !== undefined && v !== null;
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const validPort = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
const PORT_RANGE_MSG = 'must be between 1 and 65535, inclusive';

function networkRefImmutable(obj: KubeObject, old: KubeObject | undefined): FieldCause[] {
  if (!old || semanticEqual(specOf(old)['networkRef'], specOf(obj)['networkRef'])) return [];
  return [forbidden('spec.networkRef', 'field is immutable')];
}

/** L7 exactly as implemented: the first port of each protocol group is never checked. */
function loadBalancerPorts(ports: unknown[]): FieldCause[] {
  const out: FieldCause[] = [];
  const effective = (p: Rec) => (present(p['protocol']) ? String(p['protocol']) : 'TCP');
  const range = (p: Rec): [number, number] => [Number(p['port'] ?? 0), Number(present(p['endPort']) ? p['endPort'] : (p['port'] ?? 0))];
  ports.forEach((pv, i) => {
    const p = asRecord(pv);
    const path = `spec.ports[${i}]`;
    for (let k = 0; k < i; k++) {
      const e = asRecord(ports[k]);
      if (effective(e) !== effective(p)) continue;
      if (present(p['protocol'])) out.push(...enumCheck(p['protocol'], PROTOCOLS, `${path}.protocol`, 'must specify protocol'));
      if (!validPort(p['port'])) out.push(invalid(`${path}.port`, p['port'] ?? 0, PORT_RANGE_MSG));
      if (present(p['endPort'])) {
        if (!validPort(p['endPort'])) out.push(invalid(`${path}.endPort`, p['endPort'], PORT_RANGE_MSG));
        if (Number(p['endPort']) < Number(p['port'] ?? 0)) out.push(forbidden(`${path}.endPort`, `endPort ${p['endPort']} must be >= port ${p['port'] ?? 0}`));
      }
      const [s1, e1] = range(p);
      const [s2, e2] = range(e);
      if (s1 <= e2 && s2 <= e1) out.push(forbidden(path, `port range [${s1} ${e1}] overlaps with port range [${s2} ${e2}]`));
    }
  });
  return out;
}

/** LoadBalancer L1–L7 (after defaulting and the registry's drop of `ips`); `networkRef` immutable. */
export function validateLoadBalancer(obj: KubeObject, old: KubeObject | undefined): FieldCause[] {
  const sp = specOf(obj);
  const out = enumCheck(sp['type'], ['Internal', 'Public'], 'spec.type', 'must specify type');
  const families = asArray(sp['ipFamilies']);
  if (families.length === 0) out.push(required('spec.ipFamilies', 'must specify ip families'));
  out.push(...familyList(families));
  asArray(sp['ips']).forEach((src, i) => out.push(...validateIpSource(src, i, families[i] ?? '', obj.metadata.name)));
  out.push(...dnsSubdomain(asRecord(sp['networkRef'])['name'], 'spec.networkRef.name'));
  out.push(...labelSelector(sp['networkInterfaceSelector'], 'spec.networkInterfaceSelector'));
  out.push(...loadBalancerPorts(asArray(sp['ports'])));
  out.push(...networkRefImmutable(obj, old));
  return out;
}

/** LoadBalancerRouting R1–R2 (top-level fields, no `spec.` prefix). */
export function validateLoadBalancerRouting(obj: KubeObject): FieldCause[] {
  const out: FieldCause[] = [];
  asArray(obj['destinations']).forEach((dv, i) => {
    const d = asRecord(dv);
    if (!(typeof d['ip'] === 'string' && parseAddr(d['ip']))) out.push(invalid(`destinations[${i}].ip`, d['ip'] ?? null, 'must specify a valid ip'));
    if (present(d['targetRef'])) out.push(...dnsSubdomain(asRecord(d['targetRef'])['name'], `destinations[${i}].targetRef.name`));
  });
  return out;
}

/** NATGateway G1–G4; `networkRef` immutable. */
export function validateNATGateway(obj: KubeObject, old: KubeObject | undefined): FieldCause[] {
  const sp = specOf(obj);
  const out = [
    ...enumCheck(sp['type'], ['Public'], 'spec.type', 'must specify type'),
    ...enumCheck(sp['ipFamily'], ['IPv4', 'IPv6'], 'spec.ipFamily', 'must specify ipFamily'),
    ...dnsSubdomain(asRecord(sp['networkRef'])['name'], 'spec.networkRef.name'),
  ];
  const ppni = sp['portsPerNetworkInterface'];
  if (present(ppni)) {
    const n = Number(ppni);
    if (!(Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0)) out.push(invalid('spec.portsPerNetworkInterface', ppni, `${ppni} is not a power of 2`));
  }
  out.push(...networkRefImmutable(obj, old));
  return out;
}

/** NetworkPolicy P1–P8 (after `policyTypes` defaulting); `networkRef` immutable. */
export function validateNetworkPolicy(obj: KubeObject, old: KubeObject | undefined): FieldCause[] {
  const sp = specOf(obj);
  const out: FieldCause[] = [];
  const ref = asRecord(sp['networkRef']);
  if (!ref['name']) out.push(required('spec.networkRef', 'must specify a network ref'));
  else out.push(...dnsSubdomain(ref['name'], 'spec.networkRef.name'));
  out.push(...labelSelector(sp['networkInterfaceSelector'], 'spec.networkInterfaceSelector'));
  for (const [dir, peers] of [['ingress', 'from'], ['egress', 'to']] as const) {
    asArray(sp[dir]).forEach((rv, i) => {
      const rule = asRecord(rv);
      asArray(rule[peers]).forEach((peer, j) => out.push(...policyPeer(peer, `spec.${dir}[${i}].${peers}[${j}]`, ['LoadBalancer', 'NetworkInterface', 'VirtualIP'])));
      asArray(rule['ports']).forEach((port, k) => out.push(...policyPort(port, `spec.${dir}[${i}].ports[${k}]`)));
    });
  }
  const types = asArray(sp['policyTypes']);
  if (types.length === 0) out.push(required('spec.policyTypes', 'must specify policyTypes'));
  const seen = new Set<unknown>();
  types.forEach((t, k) => {
    out.push(...enumCheck(t, ['Egress', 'Ingress'], `spec.policyTypes[${k}]`, 'must specify type'));
    if (seen.has(t)) out.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(t)}`, field: `spec.policyTypes[${k}]` });
    seen.add(t);
  });
  out.push(...networkRefImmutable(obj, old));
  return out;
}
