/**
 * ironcore validation (ironcore-api.md §8.3–8.5, §8.10) for Network, NetworkInterface,
 * VirtualIP and ipam Prefix: create rules, and update = create rules on the new object plus the
 * immutability rules. Immutability errors omit the Go textual diff the real server appends.
 */
import type { FieldCause, KubeObject } from '../types.ts';
import { asArray, asRecord, dnsLabel, dnsSubdomain, duplicate, forbidden, invalid, required, semanticEqual } from './field.ts';
import { parsePrefix, prefixContains, prefixOverlaps } from './netip.ts';
import { ipFamilyEnum, validateIpSource, validatePrefixSource, validatePrefixSpec, validateVirtualIpSource, validateVirtualIpSpec } from './ironcore-validation-shared.ts';

type Rec = Record<string, unknown>;
const specOf = (o: KubeObject | undefined): Rec => asRecord(o?.['spec']);
const statusOf = (o: KubeObject | undefined): Rec => asRecord(o?.['status']);
const present = (v: unknown) => v !== undefined && v !== null;

/** Network N1–N16 and, on update, `spec.providerID` set-once. */
export function validateNetwork(obj: KubeObject, old: KubeObject | undefined): FieldCause[] {
  const ns = obj.metadata.namespace ?? '';
  const name = obj.metadata.name ?? '';
  const sp = specOf(obj);
  const out: FieldCause[] = [];
  const peeringNames = new Set<string>();
  const targets = new Set<string>();
  const prefixNames = new Set<string>();
  const prefixRefKeys = new Set<string>();
  asArray(sp['peerings']).forEach((pv, i) => {
    const p = asRecord(pv);
    const path = `spec.peerings[${i}]`;
    const pName = String(p['name'] ?? '');
    if (peeringNames.has(pName)) out.push(duplicate(`${path}.name`, pName));
    peeringNames.add(pName);
    out.push(...dnsSubdomain(pName, `${path}.name`));
    const ref = asRecord(p['networkRef']);
    const target = `${(ref['namespace'] as string) || ns}/${String(ref['name'] ?? '')}`;
    if (name && target === `${ns}/${name}`) out.push(forbidden(`${path}.networkRef`, 'cannot peer a network with itself'));
    else if (targets.has(target)) out.push(duplicate(`${path}.networkRef`, ref));
    targets.add(target);
    if (ref['namespace']) out.push(...dnsLabel(ref['namespace'], `${path}.networkRef.namespace`));
    out.push(...dnsSubdomain(ref['name'], `${path}.networkRef.name`));
    asArray(p['prefixes']).forEach((xv, j) => {
      const x = asRecord(xv);
      const xp = `${path}.prefixes[${j}]`;
      const xName = String(x['name'] ?? '');
      if (prefixNames.has(xName)) out.push(duplicate(`${xp}.name`, xName));
      prefixNames.add(xName);
      // N9: the key is built even for an empty prefixRef name (§12.3).
      const refName = String(asRecord(x['prefixRef'])['name'] ?? '');
      const key = `${ns}/${refName}`;
      if (prefixRefKeys.has(key)) out.push(duplicate(`${xp}.prefixRef`, asRecord(x['prefixRef'])));
      prefixRefKeys.add(key);
      out.push(...dnsSubdomain(xName, `${xp}.name`));
      if (refName) out.push(...dnsSubdomain(refName, `${xp}.prefixRef.name`));
    });
  });
  const claims = new Set<string>();
  asArray(sp['incomingPeerings']).forEach((cv, k) => {
    const c = asRecord(cv);
    const path = `spec.incomingPeerings[${k}]`;
    const cName = String(c['name'] ?? '');
    const key = `${(c['namespace'] as string) || ns}/${cName}`;
    if (name && key === `${ns}/${name}`) out.push(forbidden(path, 'cannot claim itself'));
    else if (claims.has(key)) out.push(duplicate(path, c));
    claims.add(key);
    if (!cName) out.push(required(`${path}.name`, 'name is required'));
    else out.push(...dnsSubdomain(cName, `${path}.name`));
    if (c['namespace']) out.push(...dnsSubdomain(c['namespace'], `${path}.namespace`));
  });
  const oldProvider = specOf(old)['providerID'];
  if (old && oldProvider && oldProvider !== sp['providerID']) out.push(forbidden('spec.providerID', 'field is immutable'));
  return out;
}

/** NetworkInterface I1–I10; on update `networkRef`, `ipFamilies`, `attributes` immutable. */
export function validateNetworkInterface(obj: KubeObject, old: KubeObject | undefined): FieldCause[] {
  const sp = specOf(obj);
  const out: FieldCause[] = [];
  const ref = asRecord(sp['networkRef']);
  if (Object.keys(ref).length === 0 || !ref['name']) out.push(required('spec.networkRef', 'must specify a network ref'));
  out.push(...dnsSubdomain(ref['name'], 'spec.networkRef.name'));
  if (present(sp['machineRef'])) out.push(...dnsLabel(asRecord(sp['machineRef'])['name'], 'spec.machineRef.name'));
  const families = asArray(sp['ipFamilies']);
  if (families.length === 0) out.push(required('spec.ipFamilies', 'must specify ip families'));
  out.push(...familyList(families));
  const ips = asArray(sp['ips']);
  if (families.length !== ips.length) out.push(invalid('spec.ips', families, 'ip families must match ips'));
  ips.forEach((src, i) => out.push(...validateIpSource(src, i, families[i] ?? '', obj.metadata.name)));
  asArray(sp['prefixes']).forEach((src, i) => out.push(...validatePrefixSource(src, i, obj.metadata.name)));
  if (present(sp['virtualIP'])) out.push(...validateVirtualIpSource(sp['virtualIP']));
  if (old) {
    const o = specOf(old);
    const changed = ['networkRef', 'ipFamilies', 'attributes'].some((k) => !semanticEqual(o[k], sp[k]));
    if (changed) out.push(forbidden('spec', 'field is immutable'));
  }
  return out;
}

/** `spec.ipFamilies[k]`: enum check and duplicates (I5/I6, L3). */
export function familyList(families: unknown[]): FieldCause[] {
  const out: FieldCause[] = [];
  const seen = new Set<unknown>();
  families.forEach((f, k) => {
    out.push(...ipFamilyEnum(f, `spec.ipFamilies[${k}]`));
    if (seen.has(f)) out.push(duplicate(`spec.ipFamilies[${k}]`, f));
    seen.add(f);
  });
  return out;
}

/** VirtualIP V1–V3; on update only `targetRef` may change. */
export function validateVirtualIp(obj: KubeObject, old: KubeObject | undefined): FieldCause[] {
  const out = validateVirtualIpSpec(obj['spec'], 'spec');
  if (old) {
    const o = specOf(old);
    const n = specOf(obj);
    if (o['type'] !== n['type'] || o['ipFamily'] !== n['ipFamily']) out.push(forbidden('spec', 'field is immutable'));
  }
  return out;
}

/** Prefix create/update (main resource): (D) at `spec`, spec immutable except the set-once fields. */
export function validatePrefix(obj: KubeObject, old: KubeObject | undefined): FieldCause[] {
  const out = validatePrefixSpec(obj['spec'], 'spec');
  if (old) {
    const o = specOf(old);
    const n = { ...specOf(obj) };
    const oldRoot = !present(o['parentRef']) && !present(o['parentSelector']);
    if (!present(o['prefix'])) n['prefix'] = o['prefix'];
    if (!o['prefixLength']) n['prefixLength'] = o['prefixLength'];
    if (!present(o['parentRef']) && !oldRoot) n['parentRef'] = o['parentRef'];
    if (!semanticEqual(o, n)) out.push(forbidden('spec', 'field is immutable'));
  }
  return out;
}

/** `ValidatePrefixStatusUpdate` S1–S8 (status and metadata only; spec is the stored one). */
export function validatePrefixStatus(obj: KubeObject, old: KubeObject | undefined): FieldCause[] {
  const out: FieldCause[] = [];
  const st = statusOf(obj);
  const sp = specOf(obj);
  const used = asArray(st['used']);
  const parsed = used.map((u) => (typeof u === 'string' ? parsePrefix(u) : undefined));
  if (st['phase'] === 'Allocated') {
    parsed.forEach((p, k) => {
      if (!p) out.push(invalid(`status.used[${k}]`, used[k] ?? null, 'must specify a valid prefix'));
    });
    const valid = parsed.filter((p) => p !== undefined);
    const families = [...new Set(valid.map((p) => p.addr.family))].sort();
    if (families.length > 1) out.push(invalid('status.used', used, `different bit lengths among prefixes: [${families.join(' ')}]`));
    else if (valid.some((a, i) => valid.some((b, j) => j > i && prefixOverlaps(a, b)))) out.push(invalid('status.used', used, 'overlapping used addresses'));
  } else if (used.length > 0) {
    out.push(invalid('status.used', used, 'must not specify used if the prefix is not succeeded'));
  }
  if (statusOf(old)['phase'] === 'Allocated' && st['phase'] !== 'Allocated') out.push(forbidden('status.phase', 'may not update from allocated to non-allocated phase'));
  const prefix = typeof sp['prefix'] === 'string' ? parsePrefix(sp['prefix']) : undefined;
  if (st['phase'] === 'Allocated') {
    if (!prefix) out.push(required('spec.prefix', 'must specify prefix if allocated'));
    if (present(sp['parentSelector']) && !present(sp['parentRef'])) out.push(required('spec.parentRef', 'must specify parentRef when allocating sub-prefix'));
  }
  if (prefix) {
    parsed.forEach((p, k) => {
      if (p && !prefixContains(prefix, p)) out.push(forbidden(`status.used[${k}]`, `not contained in prefix ${sp['prefix']}`));
    });
  }
  return out;
}
