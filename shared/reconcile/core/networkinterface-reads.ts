/**
 * Which apinet NetworkInterfaces a NetworkInterface reconcile reads. The Go controller reads every
 * apinet NIC of `ANS` from its informer cache; a serverless reconcile would pay a LIST of all of
 * them per pass, growing with the cluster. The claim decisions (networkinterface-claims.ts) only
 * look at two kinds of apinet NIC, so only those are read:
 *
 * - the one the provider ID selects (R-NIC-13: its UID is the provider ID's UID segment). The
 *   name segment is tried first (`GET ANS/<name>`); when that object is missing or has another
 *   UID, R-NIC-13 still requires the match by UID alone, so the shell falls back to the full LIST;
 * - every one stemming from this NIC (its origin uid label), which holds (R-NIC-07 `claimed`) or
 *   must be released (R-NIC-08/09). A label-selector LIST answers exactly these.
 *
 * An apinet NIC in neither set is neither wanted nor claimed by this NIC, so the claim manager
 * leaves it alone (R-NIC-07 `taken` or not wanted): the plan over "the NICs that matter" equals the
 * plan over every NIC of `ANS`. "Taken by another" is still seen, because the wanted candidate is
 * read with its own origin labels. No I/O.
 */
import { originKeysOf } from '../../api/origin.ts';
import { tryParseNetworkInterfaceProviderId } from '../../api/provider-id.ts';
import type { ApinetNetworkInterface } from '../../api/apinet.ts';
import type { IroncoreNetworkInterface } from '../../api/ironcore.ts';

export interface ApinetNetworkInterfaceReads {
  /** `labelSelector=` of the apinet NICs stemming from the NIC (R-NIC-08, R-NIC-09). */
  readonly originSelector: string;
  /** The provider ID's UID segment: the apinet NIC to hold (R-NIC-13); `undefined` = none wanted (R-NIC-01). */
  readonly wantedUid: string | undefined;
  /** The provider ID's name segment: `ANS/<name>` is read before falling back to the full LIST. */
  readonly candidateName: string | undefined;
}

/** What to read for `nic` (an unparsable provider ID wants nothing, R-NIC-13 → only the origin LIST). */
export function apinetNetworkInterfaceReads(nic: IroncoreNetworkInterface): ApinetNetworkInterfaceReads {
  const id = tryParseNetworkInterfaceProviderId(nic.spec.providerID);
  const wantedUid = id?.uid || undefined;
  return {
    originSelector: `${originKeysOf('NetworkInterface').uidLabel}=${nic.metadata.uid ?? ''}`,
    wantedUid,
    // `.`/`..` would address another path, not an object; such a segment goes to the full LIST.
    candidateName: wantedUid && id?.name && id.name !== '.' && id.name !== '..' ? id.name : undefined,
  };
}

/** The wanted apinet NIC among `objs` (by UID only, R-NIC-13), if any. */
export function findWantedApinetNetworkInterface(
  reads: ApinetNetworkInterfaceReads,
  objs: readonly (ApinetNetworkInterface | undefined)[],
): ApinetNetworkInterface | undefined {
  if (reads.wantedUid === undefined) return undefined;
  return objs.find((o): o is ApinetNetworkInterface => o !== undefined && o.metadata.uid === reads.wantedUid);
}

/**
 * The apinet NICs that matter for the claim decisions: the wanted one (if found) and those the
 * origin LIST returned, each once by name (the first read copy wins; a stale copy only costs a
 * 409 and a new pass). Objects whose origin does not name `nicUid` are kept as read: the claim
 * manager sees them as free or taken (R-NIC-07).
 */
export function apinetNetworkInterfacesThatMatter(
  wanted: ApinetNetworkInterface | undefined,
  stemming: readonly ApinetNetworkInterface[],
): ApinetNetworkInterface[] {
  const out: ApinetNetworkInterface[] = [];
  const seen = new Set<string>();
  for (const obj of [...(wanted ? [wanted] : []), ...stemming]) {
    const name = obj.metadata.name ?? '';
    if (seen.has(name)) continue;
    seen.add(name);
    out.push(obj);
  }
  return out;
}
