/**
 * NAT gateway IP count (ARCHITECTURE.md 6, run by the scheduled resync for every apinet
 * NATGatewayAutoscaler apinetlet wrote): how many public IPs a NAT gateway needs for the NICs
 * asking for NAT, and the merge patch of its `spec.ips` that gets there. Pure: randomness for
 * new entry names is passed in.
 */
import { hasCompleteOrigin } from '../../api/origin.ts';
import type { ApinetNATGateway, ApinetNATGatewayAutoscaler } from '../../api/apinet.ts';

/** Ephemeral port range 1024–65535 (apinet-api.md 5.8). */
export const NAT_EPHEMERAL_PORTS = 64512;
/** Alphabet and length of generated `spec.ips[].name` values, as the ironcore-net autoscaler uses. */
export const NAT_IP_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export const NAT_IP_NAME_LENGTH = 10;

/** Port slots one public IP offers: floor(64512 / ports per NIC); 0 when the value is unusable (0, negative, > 64512). */
export function natSlotsPerIp(portsPerNetworkInterface: number): number {
  if (!Number.isInteger(portsPerNetworkInterface) || portsPerNetworkInterface <= 0) return 0;
  return Math.floor(NAT_EPHEMERAL_PORTS / portsPerNetworkInterface);
}

export interface NatIpDemand {
  /** `status.requestedNATIPs`: NICs asking for NAT (not IPs, despite the name). */
  readonly requestedNATIPs: number;
  readonly portsPerNetworkInterface: number;
  readonly minPublicIPs?: number | null;
  readonly maxPublicIPs?: number | null;
}

/**
 * Desired number of public IPs: ceil(requested / slotsPerIP), then raised to min and capped at
 * max (each only when set). Rounds UP — the Go controller's truncation under-provisions once
 * demand exceeds capacity (apinet-api.md 12.4). Undefined when the slot count is 0.
 */
export function desiredNatIpCount(demand: NatIpDemand): number | undefined {
  const slots = natSlotsPerIp(demand.portsPerNetworkInterface);
  if (slots === 0) return undefined;
  let desired = Math.ceil(Math.max(0, demand.requestedNATIPs) / slots);
  if (demand.minPublicIPs !== null && demand.minPublicIPs !== undefined) desired = Math.max(desired, demand.minPublicIPs);
  if (demand.maxPublicIPs !== null && demand.maxPublicIPs !== undefined) desired = Math.min(desired, demand.maxPublicIPs);
  return desired;
}

/** A fresh entry name not in `taken`; `random` returns values in [0, 1) like Math.random. */
export function natIpName(random: () => number, taken: ReadonlySet<string>): string {
  for (;;) {
    let name = '';
    for (let i = 0; i < NAT_IP_NAME_LENGTH; i++) name += NAT_IP_NAME_ALPHABET[Math.floor(random() * NAT_IP_NAME_ALPHABET.length) % NAT_IP_NAME_ALPHABET.length];
    if (!taken.has(name)) return name;
  }
}

type NatIp = { readonly name: string; readonly ip?: string | null };

/** Grow by appending new named entries (no `ip`: the server allocates), shrink by dropping from the end. */
export function scaleNatIps(current: readonly NatIp[], desired: number, random: () => number): NatIp[] {
  if (desired <= current.length) return current.slice(0, Math.max(0, desired));
  const taken = new Set(current.map((e) => e.name));
  const added: NatIp[] = [];
  while (current.length + added.length < desired) {
    const name = natIpName(random, taken);
    taken.add(name);
    added.push({ name });
  }
  return [...current, ...added];
}

/** Whether apinetlet wrote this autoscaler: all three NATGateway origin keys present (behavior.md 2.2). */
export function isApinetletAutoscaler(autoscaler: Pick<ApinetNATGatewayAutoscaler, 'metadata'>): boolean {
  return hasCompleteOrigin(autoscaler, 'NATGateway');
}

export type NatScaleDecision =
  | { readonly action: 'skip'; readonly reason: 'not-apinetlet' | 'autoscaler-deleting' | 'gateway-missing' | 'gateway-deleting' | 'unusable-ports-per-nic'; readonly message: string }
  | { readonly action: 'none'; readonly count: number }
  | {
      readonly action: 'scale';
      readonly from: number;
      readonly to: number;
      /** JSON merge patch for the NATGateway; the resourceVersion makes it a precondition (409 → read again). */
      readonly patch: { metadata: { resourceVersion: string }; spec: { ips: NatIp[] } };
    };

/**
 * The autoscaling step for one autoscaler and the NATGateway its `spec.natGatewayRef` names
 * (same namespace; null when not found).
 */
export function natScaleDecision(autoscaler: ApinetNATGatewayAutoscaler, natGateway: ApinetNATGateway | null, random: () => number): NatScaleDecision {
  const key = `${autoscaler.metadata.namespace ?? ''}/${autoscaler.metadata.name ?? ''}`;
  if (!isApinetletAutoscaler(autoscaler)) return { action: 'skip', reason: 'not-apinetlet', message: `${key}: not written by apinetlet (origin labels missing); left alone` };
  if (autoscaler.metadata.deletionTimestamp) return { action: 'skip', reason: 'autoscaler-deleting', message: `${key}: being deleted` };
  if (!natGateway) return { action: 'skip', reason: 'gateway-missing', message: `${key}: NATGateway ${autoscaler.spec.natGatewayRef.name ?? ''} not found` };
  if (natGateway.metadata.deletionTimestamp) return { action: 'skip', reason: 'gateway-deleting', message: `${key}: NATGateway ${natGateway.metadata.name ?? ''} is being deleted` };
  const ppni = natGateway.spec.portsPerNetworkInterface;
  const desired = desiredNatIpCount({
    requestedNATIPs: natGateway.status?.requestedNATIPs ?? 0,
    portsPerNetworkInterface: ppni,
    minPublicIPs: autoscaler.spec.minPublicIPs,
    maxPublicIPs: autoscaler.spec.maxPublicIPs,
  });
  if (desired === undefined) {
    return { action: 'skip', reason: 'unusable-ports-per-nic', message: `${key}: NATGateway spec.portsPerNetworkInterface=${ppni} leaves no port slot per IP; set a power of two between 1 and ${NAT_EPHEMERAL_PORTS}` };
  }
  const current = natGateway.spec.ips ?? [];
  if (desired === current.length) return { action: 'none', count: desired };
  return {
    action: 'scale',
    from: current.length,
    to: desired,
    patch: { metadata: { resourceVersion: natGateway.metadata.resourceVersion ?? '' }, spec: { ips: scaleNatIps(current.map((e) => ({ ...e })), desired, random) } },
  };
}
