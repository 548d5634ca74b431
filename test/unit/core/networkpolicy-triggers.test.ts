import { describe, expect, it } from 'vitest';
import { ApinetNetwork, ApinetNetworkInterface, ApinetNetworkPolicy } from '../../../shared/api/apinet.ts';
import { networkPoliciesTriggeredBy } from '../../../shared/reconcile/core/networkpolicy-triggers.ts';

const ANS = 'apinetlet-system';
const NET = '5b4c7d5e-2f1a-4e0b-9a53-2c6a0f1d8e11';

// apinet-api.md 5.12 example shape, origin of an ironcore policy `default/<name>`.
function apinetPolicy(name: string, selector: object, extra: { network?: string; ingress?: object[]; origin?: boolean } = {}): ApinetNetworkPolicy {
  const origin = extra.origin ?? true;
  return ApinetNetworkPolicy.parse({
    metadata: {
      name: `uid-${name}`,
      namespace: ANS,
      labels: origin ? { 'apinetlet.ironcore.dev/networkpolicy-uid': `uid-${name}`, 'apinetlet.ironcore.dev/networkpolicy-namespace': 'default' } : {},
      annotations: origin ? { 'apinetlet.ironcore.dev/networkpolicy-name': name } : {},
    },
    spec: {
      networkRef: { name: extra.network ?? NET },
      networkInterfaceSelector: selector,
      priority: 1000,
      ...(extra.ingress ? { ingress: extra.ingress } : {}),
      policyTypes: ['Ingress'],
    },
  });
}

function nic(labels: Record<string, string>, state?: string): ApinetNetworkInterface {
  return ApinetNetworkInterface.parse({
    metadata: { name: 'apinet-nic-x7k2p', namespace: ANS, uid: 'nic-uid', labels },
    spec: { nodeRef: { name: 'node-1' }, networkRef: { name: NET }, ips: ['192.168.178.10'] },
    ...(state ? { status: { state } } : {}),
  });
}

const policies = [
  apinetPolicy('empty-first', {}),
  apinetPolicy('db', { matchLabels: { app: 'db' } }),
  apinetPolicy('web', { matchLabels: { app: 'web' } }),
  apinetPolicy('db-other-net', { matchLabels: { app: 'db' } }, { network: 'other' }),
  apinetPolicy('db-no-origin', { matchLabels: { app: 'db' } }, { origin: false }),
  apinetPolicy('peer-db', { matchLabels: { app: 'none' } }, { ingress: [{ from: [{ objectSelector: { kind: 'NetworkInterface', matchLabels: { app: 'db' } } }] }] }),
];

describe('R-NP-09: NetworkPolicies triggered by apinet NIC / Network changes', () => {
  it('R-NP-09: a Ready NIC maps to the ironcore origin key of every matching policy, skipping (not stopping at) empty selectors', () => {
    const keys = networkPoliciesTriggeredBy({ kind: 'NetworkInterface', object: nic({ app: 'db' }, 'Ready') }, policies);
    expect(keys).toEqual([
      { namespace: 'default', name: 'db' },
      { namespace: 'default', name: 'peer-db' },
    ]);
  });

  it('R-NP-09: a NIC that was Ready before the change counts, matched by its old or new labels', () => {
    const keys = networkPoliciesTriggeredBy({ kind: 'NetworkInterface', object: nic({ app: 'web' }, 'Pending'), oldObject: nic({ app: 'db' }, 'Ready') }, policies);
    expect(keys.map((k) => k.name).sort()).toEqual(['db', 'peer-db', 'web']);
  });

  it('R-NP-09: a NIC that is Ready neither before nor after triggers nothing', () => {
    expect(networkPoliciesTriggeredBy({ kind: 'NetworkInterface', object: nic({ app: 'db' }, 'Pending'), oldObject: nic({ app: 'db' }) }, policies)).toEqual([]);
  });

  it('R-NP-09: an apinet Network change triggers every policy of that network with complete origin', () => {
    const network = ApinetNetwork.parse({ metadata: { name: NET, namespace: ANS, uid: 'net-uid' }, spec: { id: '4711' } });
    const keys = networkPoliciesTriggeredBy({ kind: 'Network', object: network }, policies);
    expect(keys.map((k) => k.name)).toEqual(['empty-first', 'db', 'web', 'peer-db']);
  });
});
