/**
 * NetworkPolicy reconcile cost with many apinet NICs in `ANS` (core/networkpolicy-reads.ts): the
 * policy's label selectors are sent to the server, one LIST per distinct selector; the network and
 * readiness filter stays client-side (R-NP-07). Requests are observed on the apinet client's
 * transport (real HTTP to the emulator); the rule is read back from the apinet cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apinet, ironcore } from '../../../shared/api/resources.ts';
import type { KubeObject } from '../../../shared/kube/types.ts';
import { networkPolicyReconciler } from '../../../shared/reconcile/networkpolicy.ts';
import { APINET_NAMESPACE, startHarness, type Harness } from '../harness.ts';
import { observedApinet } from './networkinterface-fixtures.ts';

const ANS = APINET_NAMESPACE;
const V = 'networking.ironcore.dev/v1alpha1';
const AV = 'core.apinet.ironcore.dev/v1alpha1';
const UNRELATED = 50;

let h: Harness;
let o: ReturnType<typeof observedApinet>;
let netUid: string;
const NS = 'np-scale';

async function apinetNic(name: string, network: string, ip: string, labels: Record<string, string>): Promise<void> {
  const spec = { nodeRef: { name: 'node-1' }, networkRef: { name: network }, ips: [ip] };
  await h.apinet.apply(apinet.NetworkInterface, { apiVersion: AV, kind: 'NetworkInterface', metadata: { name, namespace: ANS, labels }, spec }, { fieldManager: 'test' });
  await h.apinet.mergePatch(apinet.NetworkInterface, ANS, name, { status: { state: 'Ready' } }, { subresource: 'status' });
}

async function policy(name: string, spec: Record<string, unknown>): Promise<KubeObject> {
  return h.ironcore.apply(ironcore.NetworkPolicy, { apiVersion: V, kind: 'NetworkPolicy', metadata: { name, namespace: NS }, spec: { networkRef: { name: 'net' }, ...spec } }, { fieldManager: 'test' });
}

type Rule = { targets?: { ip: string }[]; ingressRule?: { ips?: { prefix: string }[] }[] };
const ruleOf = async (np: KubeObject) => (await h.apinet.get(apinet.NetworkPolicyRule, ANS, np.metadata.uid!)) as unknown as Rule;

beforeAll(async () => {
  h = await startHarness();
  o = observedApinet(h);
  await h.namespace(NS);
  const net = await h.ironcore.apply(ironcore.Network, { apiVersion: V, kind: 'Network', metadata: { name: 'net', namespace: NS }, spec: {} }, { fieldManager: 'test' });
  netUid = net.metadata.uid!;
  await h.apinet.apply(apinet.Network, { apiVersion: AV, kind: 'Network', metadata: { name: netUid, namespace: ANS }, spec: {} }, { fieldManager: 'test' });
  // Ready NICs of the same network that no selector below matches.
  for (let i = 0; i < UNRELATED; i += 10) {
    await Promise.all(Array.from({ length: 10 }, (_, j) => apinetNic(`other-${i + j}`, netUid, `10.50.0.${i + j + 1}`, { app: 'other' })));
  }
  await apinetNic('web-1', netUid, '10.60.0.1', { app: 'web' });
  await apinetNic('web-2', netUid, '10.60.0.2', { app: 'web' });
  await apinetNic('web-elsewhere', 'another-network', '10.60.0.3', { app: 'web' }); // R-NP-07: other network
  await apinetNic('db-1', netUid, '10.70.0.1', { tier: 'db' });
}, 120_000);
afterAll(async () => h?.stop());

describe('NetworkPolicy reconcile among many apinet NICs', () => {
  it('R-NP-07/R-NP-08: selectors go to the server, one LIST per distinct selector; network and readiness still filter', async () => {
    const dbPeer = { objectSelector: { kind: 'NetworkInterface', matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] } };
    const np = await policy('web', {
      networkInterfaceSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [dbPeer] }],
      egress: [{ to: [dbPeer, { objectSelector: { kind: 'LoadBalancer', matchLabels: { app: 'lb' } } }] }],
    });
    o.clear();
    await o.reconcile(networkPolicyReconciler, NS, 'web');

    const rule = await ruleOf(np);
    expect(rule.targets?.map((t) => t.ip)).toEqual(['10.60.0.1', '10.60.0.2']);
    expect(rule.ingressRule?.[0].ips?.map((i) => i.prefix)).toEqual(['10.70.0.1/32']);

    const nicLists = o.lists('networkinterfaces');
    expect(nicLists.map((l) => l.labelSelector).sort()).toEqual(['app=web', 'tier in (db)']);
    expect(nicLists.reduce((n, l) => n + (l.items ?? 0), 0)).toBe(4); // web-1, web-2, web-elsewhere, db-1
    expect(o.lists('loadbalancers').map((l) => l.labelSelector)).toEqual(['app=lb']);
  });

  it('R-NP-07: an empty NIC selector (matches all) lists every apinet NIC once', async () => {
    const np = await policy('all', { networkInterfaceSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ objectSelector: { kind: 'NetworkInterface', matchLabels: { tier: 'db' } } }] }] });
    o.clear();
    await o.reconcile(networkPolicyReconciler, NS, 'all');

    const nicLists = o.lists('networkinterfaces');
    expect(nicLists).toHaveLength(1);
    expect(nicLists[0].labelSelector).toBeUndefined();
    expect(nicLists[0].items).toBe(UNRELATED + 4);
    expect((await ruleOf(np)).targets).toHaveLength(UNRELATED + 3); // every Ready NIC of the network
    expect(o.lists('loadbalancers')).toHaveLength(0);
  });
});
