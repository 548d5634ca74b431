/**
 * NetworkInterface reconcile core (behavior.md 3.5, apinet-api.md 9.4). The apinetlet never
 * creates apinet NICs: it claims the one the provider ID names, claims the NIC's VirtualIP,
 * writes `publicIPs` / `prefixes` / filtered `natGateways` into the apinet NIC and mirrors the
 * result into the ironcore status. No I/O.
 *
 * Shell order for a live NIC with the finalizer (common.ts lifecycle):
 * 1. read the NIC, the apinet NICs in `ANS` that matter (networkinterface-reads.ts: those stemming
 *    from the NIC plus the one the provider ID wants), every VirtualIP of the NIC's namespace and
 *    the ipam Prefixes named by {@link networkInterfacePrefixReads};
 * 2. {@link planNetworkInterface}; send `virtualIPWrites` (merge patch, main resource), then
 *    `apinetNetworkInterfaceWrites` (merge patch), then `statusPatch` (merge patch, `/status`).
 *    Every write carries the read `resourceVersion`: 409 → read again and retry.
 * Deletion with the finalizer: {@link networkInterfaceDeletion}; a key whose NIC is gone:
 * {@link networkInterfaceVanished}.
 */
import { canonicalIP, ipFamilyOf } from '../../api/ip.ts';
import { finalizerOf, originKeysOf, stemsFrom } from '../../api/origin.ts';
import { networkInterfacePrefixIPAMPrefixName } from '../../api/names.ts';
import { sameJson, type CoreSettings } from './common.ts';
import {
  adoptionMetadata,
  guard,
  releasePatch,
  selectApinetNetworkInterface,
  selectVirtualIPs,
  virtualIPReleasesOnDeletion,
  type MergePatch,
  type VirtualIPWrite,
} from './networkinterface-claims.ts';
import { PENDING_STATUS, mirroredStatus, networkInterfaceStatusPatch, type NetworkInterfaceStatusPatch } from './networkinterface-status.ts';
import type { ApinetNetworkInterface, ApinetNetworkInterfaceNAT } from '../../api/apinet.ts';
import type { IroncoreNetworkInterface, IroncorePrefix, IroncoreVirtualIP } from '../../api/ironcore.ts';

export type { MergePatch, VirtualIPWrite } from './networkinterface-claims.ts';
export type { NetworkInterfaceStatusPatch } from './networkinterface-status.ts';

export const NETWORK_INTERFACE_FINALIZER = finalizerOf('NetworkInterface');

// ---- what the core reads -------------------------------------------------------------------

export interface NetworkInterfaceObserved {
  readonly networkInterface: IroncoreNetworkInterface;
  /**
   * apinet NetworkInterfaces in `ANS`: at least the one whose UID the provider ID names (if it
   * exists) and every one stemming from the NIC (R-NIC-07/08); any superset, e.g. every apinet NIC
   * of `ANS`, gives the same plan. For deletion, those stemming from the NIC suffice (R-NIC-09).
   */
  readonly apinetNetworkInterfaces: readonly ApinetNetworkInterface[];
  /** Every VirtualIP in the NIC's namespace (R-NIC-05, R-NIC-06). */
  readonly virtualIPs: readonly IroncoreVirtualIP[];
  /** ipam Prefixes of the NIC's namespace by name, for {@link networkInterfacePrefixReads}; absent = not found. */
  readonly prefixes: Readonly<Record<string, IroncorePrefix | undefined>>;
  readonly settings: CoreSettings;
}

/** R-NIC-04: names of the ipam Prefixes `<nic>-pf-<i>` behind ephemeral routed prefixes. */
export function networkInterfacePrefixReads(nic: IroncoreNetworkInterface): string[] {
  return (nic.spec.prefixes ?? []).flatMap((src, i) => (!src.value && src.ephemeral ? [networkInterfacePrefixIPAMPrefixName(nic.metadata.name ?? '', i)] : []));
}

// ---- what the core writes ------------------------------------------------------------------

export interface ApinetPublicIP {
  name: string;
  ipFamily: string;
  ip: string;
}

export interface ApinetNetworkInterfaceWrite {
  /** apinet NIC name in `ANS`. */
  readonly name: string;
  /**
   * `claim`: adopt a free apinet NIC (origin keys, the NIC's labels) plus any spec change;
   * `update`: spec change of the held one (R-NIC-03/04/05); `release`: R-NIC-08/09 (origin
   * keys, `publicIPs`, `prefixes` removed); `forget`: R-NIC-10 (origin keys only).
   */
  readonly action: 'claim' | 'update' | 'release' | 'forget';
  /** JSON merge patch of the main resource. */
  readonly patch: MergePatch;
}

export interface NetworkInterfacePlan {
  readonly virtualIPWrites: readonly VirtualIPWrite[];
  readonly apinetNetworkInterfaceWrites: readonly ApinetNetworkInterfaceWrite[];
  /** `/status` merge patch; `undefined` when the status is already right. */
  readonly statusPatch: NetworkInterfaceStatusPatch | undefined;
  /** Name of the apinet NIC the NIC holds after this pass (none → Pending, R-NIC-01). */
  readonly claimedApinetNetworkInterface: string | undefined;
}

export interface DesiredApinetNetworkInterfaceSpec {
  readonly publicIPs: readonly ApinetPublicIP[];
  readonly prefixes: readonly string[];
  readonly natGateways: readonly ApinetNetworkInterfaceNAT[];
}

// ---- rules ---------------------------------------------------------------------------------

/** R-NIC-04: literal prefixes, plus `spec.prefix` of each Allocated `<nic>-pf-<i>` (ownership not checked, as in Go). */
export function desiredRoutedPrefixes(nic: IroncoreNetworkInterface, prefixes: NetworkInterfaceObserved['prefixes']): string[] {
  return (nic.spec.prefixes ?? []).flatMap((src, i) => {
    if (src.value) return [src.value];
    if (!src.ephemeral) return [];
    const name = networkInterfacePrefixIPAMPrefixName(nic.metadata.name ?? '', i);
    const prefix = Object.hasOwn(prefixes, name) ? prefixes[name] : undefined;
    return prefix?.status?.phase === 'Allocated' && prefix.spec.prefix ? [prefix.spec.prefix] : [];
  });
}

/** R-NIC-05: one public IP `{name: <ip>, ipFamily, ip}` per held VirtualIP that has `status.ip`. */
export function desiredPublicIPs(virtualIPs: readonly IroncoreVirtualIP[]): ApinetPublicIP[] {
  return virtualIPs.flatMap((vip) => {
    const ip = vip.status?.ip;
    if (!ip) return [];
    const address = canonicalIP(ip);
    return [{ name: address, ipFamily: ipFamilyOf(address), ip: address }];
  });
}

/** R-NIC-03: a NIC with a public IP of a family does not use NAT for that family. */
export function filterNATGateways(nats: readonly ApinetNetworkInterfaceNAT[] | null | undefined, publicIPs: readonly ApinetPublicIP[]): ApinetNetworkInterfaceNAT[] {
  const families = new Set(publicIPs.map((p) => p.ipFamily));
  return (nats ?? []).filter((nat) => !families.has(nat.ipFamily));
}

/** The `spec` members of the apinet NIC that differ from `desired` (R-NIC-12: none → no write). */
export function apinetNetworkInterfaceSpecChanges(apinetNic: ApinetNetworkInterface, desired: DesiredApinetNetworkInterfaceSpec): MergePatch | undefined {
  const current = apinetNic.spec;
  const currentPublicIPs = (current.publicIPs ?? []).map((p) => ({ name: p.name, ipFamily: p.ipFamily ?? (p.ip ? ipFamilyOf(p.ip) : undefined), ip: p.ip ?? undefined }));
  const changes: MergePatch = {};
  if (!sameJson(currentPublicIPs, desired.publicIPs)) changes.publicIPs = orNull(desired.publicIPs);
  if (!sameJson(current.prefixes ?? [], desired.prefixes)) changes.prefixes = orNull(desired.prefixes);
  if (!sameJson(current.natGateways ?? [], desired.natGateways)) changes.natGateways = orNull(desired.natGateways);
  return Object.keys(changes).length > 0 ? changes : undefined;
}

/**
 * R-NIC-01…08, R-NIC-12, R-NIC-13, SRV-05: the writes of one pass for a live NIC. The apinet
 * server claims the apinet IP of each explicit `publicIPs[].ip` (SRV-05) and rejects the write
 * when that IP is missing or claimed elsewhere — the shell retries then.
 */
export function planNetworkInterface(observed: NetworkInterfaceObserved, now: Date): NetworkInterfacePlan {
  const nic = observed.networkInterface;
  const apinetNics = observed.apinetNetworkInterfaces.filter((n) => n.metadata.namespace === undefined || n.metadata.namespace === observed.settings.apinetNamespace);
  const nicSelection = selectApinetNetworkInterface(nic, apinetNics);
  const vipSelection = selectVirtualIPs(nic, observed.virtualIPs);
  const prefixes = desiredRoutedPrefixes(nic, observed.prefixes);

  const apinetWrites: ApinetNetworkInterfaceWrite[] = nicSelection.release.map((n) => ({ name: n.metadata.name ?? '', action: 'release', patch: releasePatch(n, true) }));
  const selected = nicSelection.selected;
  if (!selected) {
    return {
      virtualIPWrites: vipSelection.writes,
      apinetNetworkInterfaceWrites: apinetWrites,
      statusPatch: networkInterfaceStatusPatch(nic, PENDING_STATUS, now),
      claimedApinetNetworkInterface: undefined,
    };
  }

  const publicIPs = desiredPublicIPs(vipSelection.selected);
  const desired: DesiredApinetNetworkInterfaceSpec = { publicIPs, prefixes, natGateways: filterNATGateways(selected.spec.natGateways, publicIPs) };
  const specChanges = apinetNetworkInterfaceSpecChanges(selected, desired);
  if (nicSelection.adopt || specChanges) {
    const metadata = nicSelection.adopt ? { ...guard(selected), ...adoptionMetadata(nic) } : guard(selected);
    const patch: MergePatch = { metadata };
    if (specChanges) patch.spec = specChanges;
    apinetWrites.push({ name: selected.metadata.name ?? '', action: nicSelection.adopt ? 'claim' : 'update', patch });
  }
  return {
    virtualIPWrites: vipSelection.writes,
    apinetNetworkInterfaceWrites: apinetWrites,
    statusPatch: networkInterfaceStatusPatch(nic, mirroredStatus(selected, prefixes), now),
    claimedApinetNetworkInterface: selected.metadata.name,
  };
}

export interface NetworkInterfaceDeletion {
  readonly virtualIPWrites: readonly VirtualIPWrite[];
  readonly apinetNetworkInterfaceWrites: readonly ApinetNetworkInterfaceWrite[];
  /** Remove the finalizer once every write succeeded (no waiting: nothing is deleted). */
  readonly removeFinalizer: boolean;
}

/**
 * R-NIC-09: every apinet NIC stemming from the NIC loses its origin keys, `publicIPs` and
 * `prefixes` (`natGateways` untouched); every VIP targeting it is released; then the finalizer
 * goes. R-GEN-02: without the finalizer nothing is touched.
 */
export function networkInterfaceDeletion(observed: Omit<NetworkInterfaceObserved, 'prefixes'>): NetworkInterfaceDeletion {
  const nic = observed.networkInterface;
  if (!(nic.metadata.finalizers ?? []).includes(NETWORK_INTERFACE_FINALIZER)) {
    return { virtualIPWrites: [], apinetNetworkInterfaceWrites: [], removeFinalizer: false };
  }
  const nicUid = nic.metadata.uid ?? '';
  const apinetWrites = observed.apinetNetworkInterfaces
    .filter((n) => (n.metadata.namespace === undefined || n.metadata.namespace === observed.settings.apinetNamespace) && stemsFrom(n, 'NetworkInterface', nicUid))
    .map((n): ApinetNetworkInterfaceWrite => ({ name: n.metadata.name ?? '', action: 'release', patch: releasePatch(n, true) }));
  return { virtualIPWrites: virtualIPReleasesOnDeletion(nic, observed.virtualIPs), apinetNetworkInterfaceWrites: apinetWrites, removeFinalizer: true };
}

/**
 * R-NIC-10: the NIC `key` no longer exists (its finalizer never ran). apinet NICs whose origin
 * namespace label and name annotation name the key lose the origin keys only; `publicIPs` and
 * `prefixes` stay, as in Go.
 */
export function networkInterfaceVanished(key: { readonly namespace: string; readonly name: string }, apinetNics: readonly ApinetNetworkInterface[]): ApinetNetworkInterfaceWrite[] {
  const keys = originKeysOf('NetworkInterface');
  return apinetNics
    .filter((n) => n.metadata.labels?.[keys.namespaceLabel] === key.namespace && n.metadata.annotations?.[keys.nameAnnotation] === key.name)
    .map((n) => ({ name: n.metadata.name ?? '', action: 'forget', patch: releasePatch(n, false) }));
}

function orNull<T>(list: readonly T[]): T[] | null {
  return list.length > 0 ? [...list] : null;
}
