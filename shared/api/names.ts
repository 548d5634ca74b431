import type { IPFamily } from './ip.ts';
import type { ObjectMeta } from './meta.ts';

/**
 * Name derivations (ironcore-api.md 5, apinet-api.md 5.6, behavior.md 2.1) and the
 * Kubernetes name syntaxes they must satisfy.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kubernetes `IsDNS1123Subdomain`: lower-case alphanumerics, `-` and `.`, at most 253 characters. */
export function isDNS1123Subdomain(value: string): boolean {
  return value.length > 0 && value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** Kubernetes `IsDNS1123Label`: lower-case alphanumerics and `-`, at most 63 characters. */
export function isDNS1123Label(value: string): boolean {
  return value.length > 0 && value.length <= 63 && DNS1123_LABEL.test(value);
}

/**
 * The apinet counterpart of an ironcore object is named after the ironcore object's UID
 * (behavior.md 2.1). Throws when the object has no UID yet (e.g. a CREATE admission request).
 */
export function apinetNameOf(obj: { metadata?: ObjectMeta }): string {
  const uid = obj.metadata?.uid;
  if (!uid) {
    const key = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    throw new Error(`deriving the apinet name of ${key}: the object has no metadata.uid; read it back from the cluster first`);
  }
  return uid;
}

/** `NetworkInterfaceVirtualIPName`: the referenced VirtualIP, else the NIC's own name for an ephemeral one, else none. */
export function networkInterfaceVirtualIPName(
  nicName: string,
  virtualIP: { virtualIPRef?: { name?: string } | null; ephemeral?: unknown } | null | undefined,
): string | undefined {
  if (!virtualIP) return undefined;
  if (virtualIP.virtualIPRef) return virtualIP.virtualIPRef.name || undefined;
  if (virtualIP.ephemeral) return nicName;
  return undefined;
}

/** Prefix for NIC `spec.ips[index].ephemeral`: `<nic>-<index>` (index counts all entries). */
export function networkInterfaceIPIPAMPrefixName(nicName: string, index: number): string {
  return `${nicName}-${index}`;
}

/** Prefix for NIC `spec.prefixes[index].ephemeral`: `<nic>-pf-<index>`. */
export function networkInterfacePrefixIPAMPrefixName(nicName: string, index: number): string {
  return `${nicName}-pf-${index}`;
}

/** Prefix for LoadBalancer `spec.ips[index].ephemeral`: `<lb>-<index>`. */
export function loadBalancerIPIPAMPrefixName(lbName: string, index: number): string {
  return `${lbName}-${index}`;
}

type Source = { readonly ephemeral?: unknown; readonly [field: string]: unknown } | null;
interface EphemeralSources {
  ips?: ReadonlyArray<Source> | null;
  prefixes?: ReadonlyArray<Source> | null;
}

/** `NetworkInterfacePrefixNames`: every ephemeral IP prefix name, then every ephemeral routed-prefix name. */
export function networkInterfacePrefixNames(nic: { metadata?: ObjectMeta; spec?: EphemeralSources }): string[] {
  const name = nic.metadata?.name ?? '';
  const names: string[] = [];
  (nic.spec?.ips ?? []).forEach((src, i) => {
    if (src?.ephemeral) names.push(networkInterfaceIPIPAMPrefixName(name, i));
  });
  (nic.spec?.prefixes ?? []).forEach((src, i) => {
    if (src?.ephemeral) names.push(networkInterfacePrefixIPAMPrefixName(name, i));
  });
  return names;
}

/** `LoadBalancerPrefixNames`: `<lb>-<i>` for each ephemeral `spec.ips[i]`. */
export function loadBalancerPrefixNames(lb: { metadata?: ObjectMeta; spec?: EphemeralSources }): string[] {
  const name = lb.metadata?.name ?? '';
  const names: string[] = [];
  (lb.spec?.ips ?? []).forEach((src, i) => {
    if (src?.ephemeral) names.push(loadBalancerIPIPAMPrefixName(name, i));
  });
  return names;
}

/** apinet LoadBalancer IP entry name of a Public LB: the lower-cased family (`ipv4`, `ipv6`). */
export function publicLoadBalancerIPName(family: IPFamily): string {
  return family.toLowerCase();
}

/** apinet LoadBalancer IP entry name of an Internal LB's `spec.ips[index]`: `ip-<index>`. */
export function internalLoadBalancerIPName(index: number): string {
  return `ip-${index}`;
}

/** Value of the apinet `apinet.ironcore.dev/ip` label: the address with `:` replaced by `-` (apinet-api.md 5.4). */
export function ipLabelValue(ip: string): string {
  return ip.replaceAll(':', '-');
}

export const NETWORK_PLUGIN_USER_NAME_PREFIX = 'networking.ironcore.dev:system:networkplugin:';

/** `NetworkPluginCommonName`: the CN of a network plugin's client certificate. */
export function networkPluginCommonName(name: string): string {
  return NETWORK_PLUGIN_USER_NAME_PREFIX + name;
}
