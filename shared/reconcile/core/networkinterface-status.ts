/**
 * ironcore NetworkInterface status mirroring (R-NIC-01, R-NIC-02): state, IPs, prefixes and
 * the virtual IP, patched only when one of them differs; `lastStateTransitionTime` moves only
 * when the state changes.
 */
import { ipFamilyOf } from '../../api/ip.ts';
import { sameList } from './common.ts';
import type { ApinetNetworkInterface } from '../../api/apinet.ts';
import type { IroncoreNetworkInterface } from '../../api/ironcore.ts';

export interface NetworkInterfaceStatusValues {
  readonly state: 'Pending' | 'Available' | 'Error';
  readonly ips: readonly string[];
  readonly prefixes: readonly string[];
  readonly virtualIP: string | undefined;
}

/** JSON merge patch of `/status`; `null` clears a field. */
export interface NetworkInterfaceStatusPatch {
  status: {
    state: string;
    ips: string[] | null;
    prefixes: string[] | null;
    virtualIP: string | null;
    lastStateTransitionTime?: string;
  };
}

/** R-NIC-01: no usable apinet NIC → Pending with everything cleared. */
export const PENDING_STATUS: NetworkInterfaceStatusValues = Object.freeze({ state: 'Pending', ips: [], prefixes: [], virtualIP: undefined });

/** R-NIC-02: apinet `Ready`→`Available`, `Error`→`Error`, anything else (`Pending`, empty, unknown)→`Pending`. */
export function networkInterfaceStateFrom(apinetState: string | undefined): NetworkInterfaceStatusValues['state'] {
  if (apinetState === 'Ready') return 'Available';
  if (apinetState === 'Error') return 'Error';
  return 'Pending';
}

/**
 * R-NIC-02: the status mirrored from the claimed apinet NIC. `prefixes` are the ones this pass
 * writes (the status must show the apinetlet's own update); `virtualIP` is the first IPv4 of
 * apinet `status.publicIPs` (IPv6 ignored).
 */
export function mirroredStatus(apinetNic: ApinetNetworkInterface, prefixesAfterUpdate: readonly string[]): NetworkInterfaceStatusValues {
  return {
    state: networkInterfaceStateFrom(apinetNic.status?.state),
    ips: [...(apinetNic.spec.ips ?? [])],
    prefixes: [...prefixesAfterUpdate],
    virtualIP: (apinetNic.status?.publicIPs ?? []).find((ip) => ipFamilyOf(ip) === 'IPv4'),
  };
}

/** RFC 3339 with seconds precision, as Kubernetes serialises `metav1.Time`. */
export function kubeTime(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The `/status` patch that makes `nic` show `desired`, or `undefined` when it already does. */
export function networkInterfaceStatusPatch(nic: IroncoreNetworkInterface, desired: NetworkInterfaceStatusValues, now: Date): NetworkInterfaceStatusPatch | undefined {
  const current = nic.status ?? {};
  // Compared raw, as Go does: the ironcore server defaults an empty state to Pending on read
  // (ironcore-api.md 6), but a server that does not (an emulator, a CRD) must still see Pending written.
  const currentState = current.state ?? '';
  const upToDate =
    currentState === desired.state &&
    sameList(current.ips, desired.ips) &&
    sameList(current.prefixes, desired.prefixes) &&
    (current.virtualIP ?? undefined) === desired.virtualIP;
  if (upToDate) return undefined;
  const patch: NetworkInterfaceStatusPatch = {
    status: {
      state: desired.state,
      ips: desired.ips.length > 0 ? [...desired.ips] : null,
      prefixes: desired.prefixes.length > 0 ? [...desired.prefixes] : null,
      virtualIP: desired.virtualIP ?? null,
    },
  };
  if (currentState !== desired.state) patch.status.lastStateTransitionTime = kubeTime(now);
  return patch;
}
