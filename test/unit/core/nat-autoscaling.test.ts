import { describe, expect, it } from 'vitest';
import { ApinetNATGateway, ApinetNATGatewayAutoscaler } from '../../../shared/api/apinet.ts';
import {
  NAT_IP_NAME_ALPHABET,
  desiredNatIpCount,
  natIpName,
  natScaleDecision,
  natSlotsPerIp,
  scaleNatIps,
} from '../../../shared/reconcile/core/nat-autoscaling.ts';

const ANS = 'apinetlet-system';
const NAME = 'e5f6a7b8-0000-4000-8000-000000000002';
const ORIGIN = {
  labels: { 'apinetlet.ironcore.dev/natgateway-uid': NAME, 'apinetlet.ironcore.dev/natgateway-namespace': 'default' },
  annotations: { 'apinetlet.ironcore.dev/natgateway-name': 'my-natgw' },
};

/** Deterministic stand-in for Math.random: walks a fixed sequence. */
function sequence(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

// apinet-api.md 5.9 example.
const autoscaler = (meta: object = ORIGIN, spec: object = {}) =>
  ApinetNATGatewayAutoscaler.parse({
    metadata: { name: NAME, namespace: ANS, ...meta },
    spec: { natGatewayRef: { name: NAME }, minPublicIPs: 1, maxPublicIPs: 10, ...spec },
  });
// apinet-api.md 5.8 example.
const natGateway = (ips: Array<{ name: string; ip?: string }>, requestedNATIPs: number, portsPerNetworkInterface = 2048) =>
  ApinetNATGateway.parse({
    metadata: { name: NAME, namespace: ANS, resourceVersion: '42', ...ORIGIN },
    spec: { ipFamily: 'IPv4', networkRef: { name: 'net' }, ips, portsPerNetworkInterface },
    status: { usedNATIPs: Math.min(requestedNATIPs, 31), requestedNATIPs },
  });

describe('NAT gateway IP count (ARCHITECTURE.md 6)', () => {
  it('slots per IP = floor(64512 / ports per NIC) (apinet-api.md 5.8 table)', () => {
    expect([64, 256, 1024, 2048, 4096, 32768, 64512, 65536].map(natSlotsPerIp)).toEqual([1008, 252, 63, 31, 15, 1, 1, 0]);
    expect(natSlotsPerIp(0)).toBe(0);
    expect(natSlotsPerIp(-2048)).toBe(0);
  });

  it('autoscaling rounds UP: one NIC beyond a full IP adds an IP (Go rounds down)', () => {
    expect(desiredNatIpCount({ requestedNATIPs: 31, portsPerNetworkInterface: 2048 })).toBe(1);
    expect(desiredNatIpCount({ requestedNATIPs: 32, portsPerNetworkInterface: 2048 })).toBe(2);
    expect(desiredNatIpCount({ requestedNATIPs: 62, portsPerNetworkInterface: 2048 })).toBe(2);
    expect(desiredNatIpCount({ requestedNATIPs: 63, portsPerNetworkInterface: 2048 })).toBe(3);
  });

  it('autoscaling clamps to [minPublicIPs, maxPublicIPs], each only when set', () => {
    expect(desiredNatIpCount({ requestedNATIPs: 0, portsPerNetworkInterface: 2048, minPublicIPs: 1, maxPublicIPs: 10 })).toBe(1);
    expect(desiredNatIpCount({ requestedNATIPs: 1000, portsPerNetworkInterface: 2048, minPublicIPs: 1, maxPublicIPs: 10 })).toBe(10);
    expect(desiredNatIpCount({ requestedNATIPs: 0, portsPerNetworkInterface: 2048 })).toBe(0);
    expect(desiredNatIpCount({ requestedNATIPs: 1000, portsPerNetworkInterface: 2048, minPublicIPs: null })).toBe(33);
  });

  it('autoscaling: unusable ports per NIC (0 slots) gives no count instead of dividing by zero', () => {
    expect(desiredNatIpCount({ requestedNATIPs: 5, portsPerNetworkInterface: 0 })).toBeUndefined();
    expect(desiredNatIpCount({ requestedNATIPs: 5, portsPerNetworkInterface: 65536 })).toBeUndefined();
  });

  it('new entry names: 10 characters of the autoscaler alphabet, unique among existing', () => {
    const name = natIpName(sequence([0.5, 0.1, 0.99]), new Set());
    expect(name).toMatch(new RegExp(`^[${NAT_IP_NAME_ALPHABET}]{10}$`));
    const fixed = natIpName(sequence([0]), new Set());
    expect(fixed).toBe('bbbbbbbbbb');
    // The first candidate is taken, so the next one is drawn.
    expect(natIpName(sequence([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.99]), new Set(['bbbbbbbbbb']))).not.toBe('bbbbbbbbbb');
  });

  it('grow appends entries without ip; shrink drops from the end', () => {
    const current = [{ name: 'first', ip: '10.0.0.9' }, { name: 'second', ip: '10.0.0.10' }];
    const grown = scaleNatIps(current, 4, Math.random);
    expect(grown.slice(0, 2)).toEqual(current);
    expect(grown).toHaveLength(4);
    expect(grown[2]).not.toHaveProperty('ip');
    expect(new Set(grown.map((e) => e.name)).size).toBe(4);
    expect(scaleNatIps(current, 1, Math.random)).toEqual([{ name: 'first', ip: '10.0.0.9' }]);
  });
});

describe('NAT gateway scaling decision', () => {
  it('scale up: merge patch with the resourceVersion precondition, existing entries kept', () => {
    const decision = natScaleDecision(autoscaler(), natGateway([{ name: 'x7bqz2m4kd', ip: '10.0.0.9' }], 40), sequence([0.3]));
    expect(decision.action).toBe('scale');
    if (decision.action !== 'scale') return;
    expect(decision).toMatchObject({ from: 1, to: 2 });
    expect(decision.patch.metadata).toEqual({ resourceVersion: '42' });
    expect(decision.patch.spec.ips).toHaveLength(2);
    expect(decision.patch.spec.ips[0]).toEqual({ name: 'x7bqz2m4kd', ip: '10.0.0.9' });
  });

  it('scale down to the minimum drops the newest entries', () => {
    const ips = [{ name: 'a', ip: '10.0.0.1' }, { name: 'b', ip: '10.0.0.2' }, { name: 'c', ip: '10.0.0.3' }];
    const decision = natScaleDecision(autoscaler(), natGateway(ips, 0), Math.random);
    expect(decision).toMatchObject({ action: 'scale', from: 3, to: 1, patch: { spec: { ips: [{ name: 'a', ip: '10.0.0.1' }] } } });
  });

  it('no change when the count already fits', () => {
    expect(natScaleDecision(autoscaler(), natGateway([{ name: 'a', ip: '10.0.0.1' }], 31), Math.random)).toEqual({ action: 'none', count: 1 });
  });

  it('skips autoscalers not written by apinetlet, deleting ones, missing gateways and unusable ports', () => {
    expect(natScaleDecision(autoscaler({ labels: {} }), natGateway([], 5), Math.random)).toMatchObject({ action: 'skip', reason: 'not-apinetlet' });
    expect(natScaleDecision(autoscaler({ ...ORIGIN, deletionTimestamp: '2026-01-01T00:00:00Z' }), natGateway([], 5), Math.random)).toMatchObject({ action: 'skip', reason: 'autoscaler-deleting' });
    expect(natScaleDecision(autoscaler(), null, Math.random)).toMatchObject({ action: 'skip', reason: 'gateway-missing' });
    const zero = natScaleDecision(autoscaler(), natGateway([], 5, 0), Math.random);
    expect(zero).toMatchObject({ action: 'skip', reason: 'unusable-ports-per-nic' });
    expect(zero.action === 'skip' && zero.message).toMatch(/apinetlet-system\/e5f6a7b8.*portsPerNetworkInterface=0/);
  });
});
