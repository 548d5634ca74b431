/**
 * The ironcore scheme defaulters (ironcore-api.md §6, exact behaviour) and the registry's
 * "drop ips of non-Internal LoadBalancers" (§7), as pure mutations of a decoded object.
 */
import type { KubeObject } from '../types.ts';
import { asArray, asRecord } from './field.ts';
import { parseAddr, parsePrefix } from './netip.ts';

type Rec = Record<string, unknown>;

function spec(obj: KubeObject): Rec {
  if (obj['spec'] === null || typeof obj['spec'] !== 'object') obj['spec'] = {};
  return obj['spec'] as Rec;
}

function status(obj: KubeObject): Rec {
  if (obj['status'] === null || typeof obj['status'] !== 'object') obj['status'] = {};
  return obj['status'] as Rec;
}

const prefixTemplateSpecOf = (source: unknown): Rec | undefined => {
  const tpl = asRecord(asRecord(source)['ephemeral'])['prefixTemplate'];
  if (tpl === null || typeof tpl !== 'object') return undefined;
  const t = tpl as Rec;
  if (t['spec'] === null || typeof t['spec'] !== 'object') t['spec'] = {};
  return t['spec'] as Rec;
};

/** Prefix defaulter on a PrefixSpec: family from a valid `prefix` when length is unset. */
export function defaultPrefixSpec(s: Rec): void {
  if (!s['ipFamily'] && typeof s['prefix'] === 'string' && !s['prefixLength']) {
    const p = parsePrefix(s['prefix']);
    if (p) s['ipFamily'] = p.addr.family;
  }
}

/** `SetDefaults_NetworkInterfaceSpec`, shared by NIC and LoadBalancer (§6 step 1 and 2 for `ips`). */
export function defaultIpSources(sp: Rec): void {
  const ips = asArray(sp['ips']);
  const families = asArray(sp['ipFamilies']);
  if (families.length > 0 && families.length === ips.length) {
    ips.forEach((src, i) => {
      const t = prefixTemplateSpecOf(src);
      if (t && !t['ipFamily']) t['ipFamily'] = families[i];
    });
  } else if (families.length === 0 && ips.length > 0) {
    const built: unknown[] = [];
    for (const src of ips) {
      const s = asRecord(src);
      const value = typeof s['value'] === 'string' ? parseAddr(s['value']) : undefined;
      const t = prefixTemplateSpecOf(src);
      if (value) built.push(value.family);
      else if (t) built.push(t['ipFamily'] ?? '');
    }
    if (built.length > 0) sp['ipFamilies'] = built;
  }
  for (const src of ips) {
    const t = prefixTemplateSpecOf(src);
    if (!t) continue;
    if ((t['prefix'] === undefined || t['prefix'] === null) && !t['prefixLength']) {
      if (t['ipFamily'] === 'IPv4') t['prefixLength'] = 32;
      else if (t['ipFamily'] === 'IPv6') t['prefixLength'] = 128;
    }
    defaultPrefixSpec(t);
  }
}

export function defaultNetworkInterface(obj: KubeObject): void {
  const sp = spec(obj);
  defaultIpSources(sp);
  for (const src of asArray(sp['prefixes'])) {
    const t = prefixTemplateSpecOf(src);
    if (t) defaultPrefixSpec(t);
  }
  const st = status(obj);
  if (!st['state']) st['state'] = 'Pending';
}

/**
 * LoadBalancer: defaulting, then the registry drops `ips` unless `type == Internal` (§7; on
 * create and main-resource update, not through `/status`, ironcore-api.md §12.12).
 */
export function defaultLoadBalancer(obj: KubeObject, subresource: 'main' | 'status'): void {
  const sp = spec(obj);
  defaultIpSources(sp);
  if (subresource === 'main' && sp['type'] !== 'Internal') delete sp['ips'];
}

export function defaultNATGateway(obj: KubeObject): void {
  const sp = spec(obj);
  if (sp['portsPerNetworkInterface'] === undefined || sp['portsPerNetworkInterface'] === null) sp['portsPerNetworkInterface'] = 2048;
}

/** Sorted, de-duplicated union of the given types plus the ones implied by the rules (§6). */
export function defaultNetworkPolicy(obj: KubeObject): void {
  const sp = spec(obj);
  const types = new Set(asArray(sp['policyTypes']).map((t) => String(t)));
  if (asArray(sp['ingress']).length > 0) types.add('Ingress');
  if (asArray(sp['egress']).length > 0) types.add('Egress');
  const sorted = [...types].sort();
  if (sorted.length > 0 || 'policyTypes' in sp) sp['policyTypes'] = sorted;
}

export function defaultPrefix(obj: KubeObject): void {
  defaultPrefixSpec(spec(obj));
  const st = status(obj);
  if (!st['phase']) st['phase'] = 'Pending';
}
