import { describe, expect, it } from 'vitest';
import { IroncoreNetworkPolicy } from '../../../shared/api/ironcore.ts';
import { distinctSelectors, networkPolicyListSelectors } from '../../../shared/reconcile/core/networkpolicy-reads.ts';

const policy = (spec: Record<string, unknown>) =>
  IroncoreNetworkPolicy.parse({
    apiVersion: 'networking.ironcore.dev/v1alpha1',
    kind: 'NetworkPolicy',
    metadata: { name: 'np', namespace: 'default', uid: 'np-uid' },
    spec: { networkRef: { name: 'net' }, ...spec },
  });
const peer = (kind: string, sel: Record<string, unknown>) => ({ objectSelector: { kind, ...sel } });

describe('NetworkPolicy list selectors', () => {
  it('R-NP-07/R-NP-08: the NIC selector and NIC object selectors, once each, in query syntax', () => {
    const np = policy({
      networkInterfaceSelector: { matchLabels: { app: 'web' } },
      ingress: [{ from: [peer('NetworkInterface', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['db', 'cache'] }] }), peer('NetworkInterface', { matchLabels: { app: 'web' } })] }],
      egress: [{ to: [peer('NetworkInterface', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['cache', 'db'] }] })] }],
    });
    expect(networkPolicyListSelectors(np)).toEqual({ networkInterfaces: ['app=web', 'tier in (cache,db)'], loadBalancers: [] });
  });

  it('R-NP-05: LoadBalancer object selectors are listed separately; other kinds list nothing', () => {
    const np = policy({
      networkInterfaceSelector: { matchLabels: { app: 'web' } },
      egress: [{ to: [peer('LoadBalancer', { matchLabels: { lb: 'pub' } }), peer('VirtualIP', { matchLabels: { x: 'y' } })] }],
    });
    expect(networkPolicyListSelectors(np)).toEqual({ networkInterfaces: ['app=web'], loadBalancers: ['lb=pub'] });
  });

  it('an empty selector (matches all) collapses the reads to one unfiltered LIST', () => {
    expect(networkPolicyListSelectors(policy({})).networkInterfaces).toEqual(['']);
    const np = policy({ networkInterfaceSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [peer('NetworkInterface', {})] }] });
    expect(networkPolicyListSelectors(np).networkInterfaces).toEqual(['']);
  });

  it('R-NP-06: an invalid selector lists everything, so the core reports it against the same objects as before', () => {
    expect(distinctSelectors([{ matchLabels: { a: 'b' } }, { matchExpressions: [{ key: 'k', operator: 'Bogus' }] }])).toEqual(['']);
  });

  it('a nil selector selects nothing and needs no LIST; set-based operators keep their syntax', () => {
    expect(distinctSelectors([null, undefined])).toEqual([]);
    expect(distinctSelectors([{ matchExpressions: [{ key: 'k', operator: 'DoesNotExist' }] }, { matchExpressions: [{ key: 'k', operator: 'NotIn', values: ['v'] }] }])).toEqual([
      '!k',
      'k notin (v)',
    ]);
  });
});
