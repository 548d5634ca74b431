/**
 * Network reconcile core (behavior.md 3.2): from the observed ironcore Network, its peers'
 * apinet Networks and the referenced ipam Prefixes to the apinet Network apply body, the
 * provider ID patch and the ironcore status patch. No I/O.
 *
 * Shell order: read → {@link networkPeerNames}/{@link networkPrefixRefNames} tell what else to
 * read → apply {@link desiredApinetNetwork} (on failure: {@link networkFailureStatusPatch}) →
 * {@link networkProviderIdPatch} → {@link networkStatusPatch} on the object the apply returned.
 */
import { finalizerOf } from '../../api/origin.ts';
import { formatNetworkProviderId } from '../../api/provider-id.ts';
import { apinet, apiVersionOf } from '../../api/resources.ts';
import { originMetadata, sameJson, type CoreSettings } from './common.ts';
import { ServerFieldMissingError, objectKey } from './errors.ts';
import type { ApinetNetwork } from '../../api/apinet.ts';
import type { IroncoreNetwork, IroncoreNetworkPeeringStatus, IroncorePeeringPrefix, IroncorePrefix } from '../../api/ironcore.ts';

export const NETWORK_FINALIZER = finalizerOf('Network');

// ---- what the core reads -------------------------------------------------------------------

export interface NetworkSettings extends CoreSettings {
  /** `APINETLET_DISABLE_NETWORK_PEERING` (R-NET-10). */
  readonly peeringDisabled: boolean;
}

/** The apinet Network as read or as returned by the apply. */
export type ApinetNetworkInput = ApinetNetwork;

export interface NetworkObserved {
  readonly network: IroncoreNetwork;
  /** apinet Networks in `ANS` by name, for every name of {@link networkPeerNames}; absent = not found. */
  readonly peerApinetNetworks: Readonly<Record<string, ApinetNetworkInput | undefined>>;
  /** ipam Prefixes in the Network's namespace by name, for {@link networkPrefixRefNames}; absent = not found. */
  readonly prefixes: Readonly<Record<string, IroncorePrefix | undefined>>;
  readonly settings: NetworkSettings;
}

// ---- what the core writes ------------------------------------------------------------------

export interface ApinetNetworkPeering {
  readonly name: string;
  readonly id: string;
  readonly prefixes?: ReadonlyArray<{ readonly name: string; readonly prefix?: string | null }> | null;
}

export interface ApinetNetworkApply {
  apiVersion: string;
  kind: 'Network';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { peerings: ApinetNetworkPeering[] };
}

/** JSON merge patch of the main resource (R-NET-01), conditional on the resourceVersion when known. */
export interface NetworkProviderIdPatch {
  metadata?: { resourceVersion: string };
  spec: { providerID: string };
}

export interface NetworkStatusPatch {
  status: { state: string; peerings?: IroncoreNetworkPeeringStatus[] | null };
}

// ---- reads the shell must do ---------------------------------------------------------------

/** apinet Network names (= peer ironcore UIDs) the peering computation needs (R-NET-07). */
export function networkPeerNames(network: IroncoreNetwork): string[] {
  const uids = (network.spec?.incomingPeerings ?? []).flatMap((c) => (c.uid ? [c.uid] : []));
  return [...new Set(uids)];
}

/** ipam Prefix names (in the Network's namespace, R-NET-03) referenced by peering prefixes without a literal value. */
export function networkPrefixRefNames(network: IroncoreNetwork): string[] {
  const names = (network.spec?.peerings ?? []).flatMap((p) =>
    (p.prefixes ?? []).flatMap((pp) => (!pp.prefix && pp.prefixRef?.name ? [pp.prefixRef.name] : [])),
  );
  return [...new Set(names)];
}

// ---- desired apinet object -----------------------------------------------------------------

/** R-NET-03: literal first, then an Allocated ipam Prefix of the network's own namespace; otherwise dropped. */
function resolvePeeringPrefix(pp: IroncorePeeringPrefix, prefixes: NetworkObserved['prefixes']): { name: string; prefix: string } | undefined {
  if (pp.prefix) return { name: pp.name, prefix: pp.prefix };
  const refName = pp.prefixRef?.name;
  if (!refName) return undefined;
  const target = Object.hasOwn(prefixes, refName) ? prefixes[refName] : undefined;
  if (target?.status?.phase !== 'Allocated' || !target.spec?.prefix) return undefined;
  return { name: pp.name, prefix: target.spec.prefix };
}

/** The apinet `spec.peerings` (R-NET-03, R-NET-05, R-NET-06, R-NET-07, R-NET-08). */
export function apinetNetworkPeerings(observed: NetworkObserved): ApinetNetworkPeering[] {
  const { network, peerApinetNetworks, prefixes } = observed;
  const ownNamespace = network.metadata.namespace ?? '';
  const specPeerings = network.spec?.peerings ?? [];
  const result: ApinetNetworkPeering[] = [];
  for (const claim of network.spec?.incomingPeerings ?? []) {
    const peer = claim.uid && Object.hasOwn(peerApinetNetworks, claim.uid) ? peerApinetNetworks[claim.uid] : undefined;
    // R-NET-07 [Go quirk]: Go stops at the first missing peer; we skip just that one. A peer
    // without its server-assigned VNI yet (SRV-01) is not usable either.
    const peerId = peer?.spec?.id;
    if (!peerId) continue;
    // R-NET-05: an empty peering namespace means the Network's own; R-NET-06: no match, no peering.
    const match = specPeerings.find((p) => p.networkRef.name === claim.name && (p.networkRef.namespace || ownNamespace) === (claim.namespace ?? ''));
    if (!match) continue;
    const resolved = (match.prefixes ?? []).flatMap((pp) => resolvePeeringPrefix(pp, prefixes) ?? []);
    result.push(resolved.length > 0 ? { name: match.name, id: peerId, prefixes: resolved } : { name: match.name, id: peerId });
  }
  return result;
}

/**
 * The full server-side-apply body of the apinet Network `ANS/<network uid>` (R-GEN-07).
 * `spec.peerings` is always sent (possibly empty) so that removed peerings disappear (R-NET-08);
 * `spec.id` is never sent — the server owns it (SRV-01, SRV-06).
 */
export function desiredApinetNetwork(observed: NetworkObserved): ApinetNetworkApply {
  const origin = originMetadata('Network', observed.network.metadata);
  return {
    apiVersion: apiVersionOf(apinet.Network),
    kind: 'Network',
    metadata: { name: origin.uid, namespace: observed.settings.apinetNamespace, labels: origin.labels, annotations: origin.annotations },
    spec: { peerings: apinetNetworkPeerings(observed) },
  };
}

// ---- ironcore side -------------------------------------------------------------------------

/**
 * R-NET-01: the merge patch setting `spec.providerID`, or null when it is already set (even to
 * something else: it is never rewritten). Needs the apinet Network as returned by the apply,
 * since the VNI and UID are server-filled.
 */
export function networkProviderIdPatch(network: IroncoreNetwork, applied: ApinetNetworkInput): NetworkProviderIdPatch | null {
  if (network.spec?.providerID) return null;
  const key = objectKey(network.metadata);
  const id = applied.spec?.id;
  if (!id) throw new ServerFieldMissingError(key, 'provider-id', 'spec.id', `apinet Network ${applied.metadata.namespace}/${applied.metadata.name}`);
  if (!applied.metadata.uid) throw new ServerFieldMissingError(key, 'provider-id', 'metadata.uid', `apinet Network ${applied.metadata.namespace}/${applied.metadata.name}`);
  // behavior.md 2.4: `ironcore-net://<ANS>/<apinet name>/<VNI>/<apinet uid>`.
  const providerID = formatNetworkProviderId({ namespace: applied.metadata.namespace ?? '', name: applied.metadata.name ?? '', id, uid: applied.metadata.uid });
  // The resourceVersion makes the merge patch conditional, so a concurrent writer's value is not overwritten.
  const rv = network.metadata.resourceVersion;
  return rv ? { metadata: { resourceVersion: rv }, spec: { providerID } } : { spec: { providerID } };
}

/**
 * R-NET-09: ironcore `status.peerings` from the apinet Network's status, matched by VNI against
 * its spec peerings. Partitions are walked in sorted order ([Go quirk]: Go's map order is random).
 */
export function networkStatusPeerings(applied: ApinetNetworkInput): IroncoreNetworkPeeringStatus[] {
  const specPeerings = applied.spec?.peerings ?? [];
  const partitions = applied.status?.peerings ?? {};
  const result: IroncoreNetworkPeeringStatus[] = [];
  for (const partition of Object.keys(partitions).sort()) {
    for (const entry of partitions[partition] ?? []) {
      const spec = specPeerings.find((p) => p.id === String(entry.id));
      if (!spec) continue;
      const prefixes = entry.state === 'Ready' && spec.prefixes && spec.prefixes.length > 0 ? spec.prefixes.map((p) => ({ ...p })) : undefined;
      result.push({ name: spec.name, ...(entry.state ? { state: entry.state } : {}), ...(prefixes ? { prefixes } : {}) });
    }
  }
  return result;
}

/**
 * The status after a successful apply, or null when nothing changes. The value is the whole
 * status, so it works both as a JSON merge patch on `/status` and as "the new status".
 * R-NET-10: with peering disabled, peerings are neither compared nor changed (the recommended
 * behaviour; Go writes freshly computed ones along with a state change).
 */
export function networkStatusPatch(network: IroncoreNetwork, applied: ApinetNetworkInput, settings: Pick<NetworkSettings, 'peeringDisabled'>): NetworkStatusPatch | null {
  const currentState = network.status?.state ?? '';
  if (settings.peeringDisabled) {
    if (currentState === 'Available') return null;
    // The current peerings are echoed unchanged so the patch is also the whole status (see above).
    const kept = network.status?.peerings;
    return { status: kept ? { state: 'Available', peerings: [...kept] } : { state: 'Available' } };
  }
  const peerings = networkStatusPeerings(applied);
  const current = network.status?.peerings ?? [];
  if (currentState === 'Available' && sameJson(current, peerings)) return null;
  // R-NET-08: an empty result clears the list (merge patch null).
  return { status: { state: 'Available', peerings: peerings.length > 0 ? peerings : null } };
}

/**
 * R-NET-02: when the apply failed, a Network that is not yet Available becomes Pending (peering
 * status untouched — [Go quirk]: Go dereferences a nil apinet Network here). Null = no patch.
 */
export function networkFailureStatusPatch(network: IroncoreNetwork): NetworkStatusPatch | null {
  const state = network.status?.state ?? '';
  if (state === 'Available' || state === 'Pending') return null;
  // Whole status (peerings echoed unchanged), like networkStatusPatch.
  const kept = network.status?.peerings;
  return { status: kept ? { state: 'Pending', peerings: [...kept] } : { state: 'Pending' } };
}

