import { describe, expect, it } from 'vitest';
import type { ApinetNATGateway, ApinetNATGatewayAutoscaler } from '../../../shared/api/apinet.ts';
import { originAnnotations, originLabels } from '../../../shared/api/origin.ts';
import { natScaleDecision } from '../../../shared/reconcile/core/nat-autoscaling.ts';

/** The decisions the resync acts on (ARCHITECTURE.md 6, apinet-api.md 7.2 with rounding up). */
const src = { metadata: { namespace: 'ns', name: 'gw', uid: 'gw-uid' } };
const autoscaler = (min: number | null, max: number | null): ApinetNATGatewayAutoscaler =>
  ({
    metadata: { namespace: 'apinet', name: 'gw-uid', labels: originLabels('NATGateway', src), annotations: originAnnotations('NATGateway', src) },
    spec: { natGatewayRef: { name: 'gw-uid' }, minPublicIPs: min, maxPublicIPs: max },
  }) as ApinetNATGatewayAutoscaler;
const gateway = (requested: number, ips: string[], ppni = 2048): ApinetNATGateway =>
  ({
    metadata: { namespace: 'apinet', name: 'gw-uid', resourceVersion: '42' },
    spec: { ipFamily: 'IPv4', networkRef: { name: 'n' }, portsPerNetworkInterface: ppni, ips: ips.map((name, i) => ({ name, ip: `10.0.0.${i + 1}` })) },
    status: { requestedNATIPs: requested },
  }) as ApinetNATGateway;
const seq = () => {
  let i = 0;
  return () => ((i++ * 7) % 27) / 27;
};

describe('NAT autoscaling decisions', () => {
  it('rounds UP: 32 NICs at 31 slots per IP need 2 IPs (Go would give 1)', () => {
    const d = natScaleDecision(autoscaler(1, 10), gateway(32, ['a']), seq());
    expect(d).toMatchObject({ action: 'scale', from: 1, to: 2 });
  });
  it('exactly full IPs need no extra one: 62 NICs → 2 IPs', () => {
    expect(natScaleDecision(autoscaler(1, 10), gateway(62, ['a', 'b']), seq())).toEqual({ action: 'none', count: 2 });
  });
  it('grows by appending fresh named entries after the existing ones, precondition on resourceVersion', () => {
    const d = natScaleDecision(autoscaler(1, 10), gateway(100, ['first']), seq());
    if (d.action !== 'scale') throw new Error(`expected scale, got ${d.action}`);
    expect(d.patch.metadata.resourceVersion).toBe('42');
    const ips = d.patch.spec.ips;
    expect(ips).toHaveLength(4); // ceil(100/31)
    expect(ips[0]).toEqual({ name: 'first', ip: '10.0.0.1' });
    expect(new Set(ips.map((e) => e.name)).size).toBe(4);
    for (const e of ips.slice(1)) expect(e).toEqual({ name: expect.stringMatching(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/) });
  });
  it('shrinks by removing from the end', () => {
    const d = natScaleDecision(autoscaler(1, 10), gateway(31, ['a', 'b', 'c']), seq());
    expect(d).toMatchObject({ action: 'scale', from: 3, to: 1, patch: { spec: { ips: [{ name: 'a' }] } } });
  });
  it('clamps to [minPublicIPs, maxPublicIPs]', () => {
    expect(natScaleDecision(autoscaler(2, 10), gateway(0, []), seq())).toMatchObject({ action: 'scale', to: 2 });
    expect(natScaleDecision(autoscaler(1, 3), gateway(10_000, ['a']), seq())).toMatchObject({ action: 'scale', to: 3 });
    expect(natScaleDecision(autoscaler(null, null), gateway(0, ['a']), seq())).toMatchObject({ action: 'scale', to: 0 });
  });
  it('skips a missing gateway and an unusable portsPerNetworkInterface', () => {
    expect(natScaleDecision(autoscaler(1, 10), null, seq())).toMatchObject({ action: 'skip', reason: 'gateway-missing' });
    expect(natScaleDecision(autoscaler(1, 10), gateway(5, [], 0), seq())).toMatchObject({ action: 'skip', reason: 'unusable-ports-per-nic' });
  });
});
