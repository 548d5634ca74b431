/**
 * Claim decisions of a NetworkInterface (apinet-api.md 9.4, ironcore's claim manager): which
 * apinet NICs it holds, adopts or releases (R-NIC-07, R-NIC-08, R-NIC-13) and which VirtualIPs
 * it holds, claims or releases (R-NIC-05, R-NIC-06). Writes are JSON merge patches that carry
 * the read `metadata.resourceVersion`, so two NICs racing for one object cannot both win: the
 * loser gets 409 Conflict and reads again.
 */
import { hasCompleteOrigin, originAnnotations, originKeysOf, originLabels, stemsFrom } from '../../api/origin.ts';
import { tryParseNetworkInterfaceProviderId } from '../../api/provider-id.ts';
import { networkInterfaceVirtualIPName } from '../../api/names.ts';
import type { ApinetNetworkInterface } from '../../api/apinet.ts';
import type { IroncoreNetworkInterface, IroncoreVirtualIP } from '../../api/ironcore.ts';

/** A JSON merge patch body (RFC 7386): `null` removes a member. */
export type MergePatch = { [key: string]: unknown };

export type ClaimState = 'claimed' | 'taken' | 'free';

/** R-NIC-07: the apinet NIC's origin names this NIC (`claimed`), another NIC (`taken`) or nobody (`free`). */
export function apinetNetworkInterfaceClaimState(apinetNic: ApinetNetworkInterface, nicUid: string): ClaimState {
  if (!hasCompleteOrigin(apinetNic, 'NetworkInterface')) return 'free';
  return stemsFrom(apinetNic, 'NetworkInterface', nicUid) ? 'claimed' : 'taken';
}

/** R-NIC-13: only the UID segment selects; an unparsable provider ID (bad node, wrong segment count) selects nothing. */
export function wantedApinetNetworkInterfaceUid(nic: IroncoreNetworkInterface): string | undefined {
  return tryParseNetworkInterfaceProviderId(nic.spec.providerID)?.uid || undefined;
}

export interface ApinetNetworkInterfaceSelection {
  /** The apinet NIC this NIC holds after this pass, as read. */
  readonly selected: ApinetNetworkInterface | undefined;
  /** Whether `selected` is free and gets adopted by this pass. */
  readonly adopt: boolean;
  /** apinet NICs this NIC holds but no longer wants (R-NIC-08). */
  readonly release: readonly ApinetNetworkInterface[];
}

/** The claim manager pass over every apinet NIC of `ANS` for a live (not deleting) NIC. */
export function selectApinetNetworkInterface(nic: IroncoreNetworkInterface, apinetNics: readonly ApinetNetworkInterface[]): ApinetNetworkInterfaceSelection {
  const nicUid = nic.metadata.uid ?? '';
  const wantedUid = wantedApinetNetworkInterfaceUid(nic);
  let selected: ApinetNetworkInterface | undefined;
  let adopt = false;
  const release: ApinetNetworkInterface[] = [];
  for (const apinetNic of apinetNics) {
    const wanted = wantedUid !== undefined && apinetNic.metadata.uid === wantedUid;
    switch (apinetNetworkInterfaceClaimState(apinetNic, nicUid)) {
      case 'claimed':
        if (wanted) selected = apinetNic;
        else release.push(apinetNic);
        break;
      case 'taken':
        // R-NIC-07: another NIC's; not touched, even when the provider ID points at it.
        break;
      case 'free':
        if (wanted && !apinetNic.metadata.deletionTimestamp) {
          selected = apinetNic;
          adopt = true;
        }
        break;
    }
  }
  return { selected, adopt, release };
}

/**
 * Adoption metadata: the ironcore NIC's own labels (so NetworkPolicy selectors written against
 * them match the apinet NIC, as Go's claim strategy copies them) plus the origin keys.
 */
export function adoptionMetadata(nic: IroncoreNetworkInterface): { labels: Record<string, string>; annotations: Record<string, string> } {
  return {
    labels: { ...(nic.metadata.labels ?? {}), ...originLabels('NetworkInterface', nic) },
    annotations: originAnnotations('NetworkInterface', nic),
  };
}

/** Merge patch removing the three origin keys (R-NIC-10), and for a full release (R-NIC-08/09) also `publicIPs`/`prefixes`. */
export function releasePatch(apinetNic: ApinetNetworkInterface, full: boolean): MergePatch {
  const keys = originKeysOf('NetworkInterface');
  const patch: MergePatch = {
    metadata: {
      ...guard(apinetNic),
      labels: { [keys.uidLabel]: null, [keys.namespaceLabel]: null },
      annotations: { [keys.nameAnnotation]: null },
    },
  };
  if (full) patch.spec = { publicIPs: null, prefixes: null };
  return patch;
}

/** `metadata.resourceVersion` precondition when the object was read with one. */
export function guard(obj: { metadata: { resourceVersion?: string } }): { resourceVersion?: string } {
  return obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {};
}

// ---- VirtualIPs ----------------------------------------------------------------------------

export interface VirtualIPWrite {
  /** VirtualIP name in the NIC's namespace. */
  readonly name: string;
  readonly action: 'claim' | 'release';
  /** Merge patch of the main resource setting or removing `spec.targetRef`. */
  readonly patch: MergePatch;
}

export interface VirtualIPSelection {
  /** VirtualIPs the NIC holds after this pass (their `status.ip` feeds `publicIPs`). */
  readonly selected: readonly IroncoreVirtualIP[];
  readonly writes: readonly VirtualIPWrite[];
}

/** R-NIC-05: the one VirtualIP name a NIC wants (`virtualIPRef.name`, or its own name for an ephemeral VIP). */
export function wantedVirtualIPName(nic: IroncoreNetworkInterface): string | undefined {
  return networkInterfaceVirtualIPName(nic.metadata.name ?? '', nic.spec.virtualIP);
}

/** R-NIC-05, R-NIC-06: claim the wanted free VIP, keep it when held, release held VIPs no longer wanted. */
export function selectVirtualIPs(nic: IroncoreNetworkInterface, virtualIPs: readonly IroncoreVirtualIP[]): VirtualIPSelection {
  const wanted = wantedVirtualIPName(nic);
  const nicUid = nic.metadata.uid ?? '';
  const selected: IroncoreVirtualIP[] = [];
  const writes: VirtualIPWrite[] = [];
  for (const vip of inNamespaceOf(nic, virtualIPs)) {
    const name = vip.metadata.name ?? '';
    const targetRef = vip.spec.targetRef;
    if (targetRef) {
      if (targetRef.uid !== nicUid) continue; // targets another object: left alone
      if (name === wanted) selected.push(vip);
      else writes.push(virtualIPRelease(vip));
      continue;
    }
    // A free VIP that is being deleted is not adopted.
    if (name === wanted && !vip.metadata.deletionTimestamp) {
      selected.push(vip);
      writes.push({ name, action: 'claim', patch: { metadata: guard(vip), spec: { targetRef: { name: nic.metadata.name ?? '', uid: nicUid } } } });
    }
  }
  return { selected, writes };
}

/** R-NIC-09: on deletion every VIP of the namespace targeting the NIC is released. */
export function virtualIPReleasesOnDeletion(nic: IroncoreNetworkInterface, virtualIPs: readonly IroncoreVirtualIP[]): VirtualIPWrite[] {
  const nicUid = nic.metadata.uid ?? '';
  return inNamespaceOf(nic, virtualIPs)
    .filter((vip) => vip.spec.targetRef?.uid === nicUid)
    .map(virtualIPRelease);
}

function virtualIPRelease(vip: IroncoreVirtualIP): VirtualIPWrite {
  return { name: vip.metadata.name ?? '', action: 'release', patch: { metadata: guard(vip), spec: { targetRef: null } } };
}

function inNamespaceOf<T extends { metadata: { namespace?: string } }>(nic: IroncoreNetworkInterface, objs: readonly T[]): T[] {
  return objs.filter((o) => o.metadata.namespace === undefined || o.metadata.namespace === nic.metadata.namespace);
}

/**
 * Why the NIC holds no apinet NIC although its provider ID names one that exists (for the
 * NotClaimable Event): that one is another NIC's (R-NIC-07) or being deleted. `undefined` when
 * nothing is named or the named one is not there (yet) — then there is nothing to report.
 */
export function notClaimableReason(nic: IroncoreNetworkInterface, apinetNics: readonly ApinetNetworkInterface[]): string | undefined {
  const wantedUid = wantedApinetNetworkInterfaceUid(nic);
  const wanted = wantedUid === undefined ? undefined : apinetNics.find((n) => n.metadata.uid === wantedUid);
  if (!wanted) return undefined;
  const what = `apinet NetworkInterface ${wanted.metadata.namespace ?? ''}/${wanted.metadata.name ?? ''} named by spec.providerID`.replace(' /', ' ');
  switch (apinetNetworkInterfaceClaimState(wanted, nic.metadata.uid ?? '')) {
    case 'taken': {
      const keys = originKeysOf('NetworkInterface');
      const owner = `${wanted.metadata.labels?.[keys.namespaceLabel] ?? ''}/${wanted.metadata.annotations?.[keys.nameAnnotation] ?? ''}`;
      return `${what} is claimed by NetworkInterface ${owner} (uid ${wanted.metadata.labels?.[keys.uidLabel] ?? ''}); it is not taken over`;
    }
    case 'free':
      return wanted.metadata.deletionTimestamp ? `${what} is being deleted` : undefined;
    default:
      return undefined;
  }
}
