/**
 * LoadBalancer reconcile over real HTTP (two emulated clusters) and real SQS batches
 * (behavior.md 2.5, 3.3). The tests play SIM-03/04/05 by writing to the emulated ironcore cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apinet, ironcore } from '../../../shared/api/resources.ts';
import type { KubeObject } from '../../../shared/kube/types.ts';
import { UnknownLoadBalancerTypeError } from '../../../shared/reconcile/core/errors.ts';
import { loadBalancerReconciler } from '../../../shared/reconcile/loadbalancer.ts';
import { APINET_NAMESPACE, measureApiCalls, startHarness, testReconcileContext, type Harness } from '../harness.ts';

const ANS = APINET_NAMESPACE;
const measure = (run: () => Promise<void>) => measureApiCalls(h, run);
const LB_FINALIZER = 'apinet.ironcore.dev/loadbalancer';
const L = (lb: KubeObject) => ({
  'apinetlet.ironcore.dev/loadbalancer-uid': lb.metadata.uid!,
  'apinetlet.ironcore.dev/loadbalancer-namespace': lb.metadata.namespace!,
});

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(async () => h?.stop());

async function network(ns: string, name = 'net'): Promise<KubeObject> {
  await h.namespace(ns);
  return h.ironcore.apply(ironcore.Network, { apiVersion: 'networking.ironcore.dev/v1alpha1', kind: 'Network', metadata: { name, namespace: ns }, spec: {} }, { fieldManager: 'test' });
}

async function loadBalancer(ns: string, name: string, spec: Record<string, unknown>): Promise<KubeObject> {
  return h.ironcore.apply(ironcore.LoadBalancer, { apiVersion: 'networking.ironcore.dev/v1alpha1', kind: 'LoadBalancer', metadata: { name, namespace: ns }, spec }, { fieldManager: 'test' });
}

const publicSpec = (ipFamilies = ['IPv4']) => ({ type: 'Public', ipFamilies, networkRef: { name: 'net' }, ports: [{ protocol: 'TCP', port: 80 }, { port: 1000, endPort: 1010 }] });
const getApinetLb = (lb: KubeObject) => h.apinet.get(apinet.LoadBalancer, ANS, lb.metadata.uid!);
const getApinetRouting = (lb: KubeObject) => h.apinet.get(apinet.LoadBalancerRouting, ANS, lb.metadata.uid!);
const getLb = (lb: KubeObject) => h.ironcore.get(ironcore.LoadBalancer, lb.metadata.namespace!, lb.metadata.name!);

describe('LoadBalancer reconcile', () => {
  it('R-LB-01, R-LB-02, R-LB-05, R-LB-06: public LB projected with the exact shape; status.ips from the server allocation', async () => {
    const net = await network('lb-public');
    const lb = await loadBalancer('lb-public', 'web', publicSpec());
    await h.reconcile(loadBalancerReconciler, 'lb-public', 'web');

    const a = (await getApinetLb(lb))!;
    expect(a.metadata.labels).toMatchObject(L(lb));
    expect(a.metadata.annotations).toMatchObject({ 'apinetlet.ironcore.dev/loadbalancer-name': 'web' });
    const spec = a['spec'] as Record<string, any>;
    expect(spec.type).toBe('Public');
    expect(spec.networkRef).toEqual({ name: net.metadata.uid });
    expect(spec.ports).toEqual([{ protocol: 'TCP', port: 80 }, { port: 1000, endPort: 1010 }]);
    expect(spec.ips).toHaveLength(1);
    expect(spec.ips[0]).toMatchObject({ name: 'ipv4', ipFamily: 'IPv4' });
    expect(spec.ips[0].ip).toMatch(/^10\.0\.0\.\d+$/);
    expect(spec.selector).toEqual({ matchLabels: L(lb) });
    expect(spec.template.metadata).toEqual({ labels: L(lb), annotations: { 'apinetlet.ironcore.dev/loadbalancer-name': 'web' } });
    expect(spec.template.spec.affinity).toEqual({
      instanceAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: L(lb) }, topologyKey: 'topology.core.apinet.ironcore.dev/zone' }] },
    });

    const routing = (await getApinetRouting(lb))!;
    expect(routing['destinations'] ?? []).toEqual([]);
    expect(routing.metadata.labels).toMatchObject(L(lb));
    expect(routing.metadata.ownerReferences).toEqual([
      { apiVersion: 'core.apinet.ironcore.dev/v1alpha1', kind: 'LoadBalancer', name: a.metadata.name, uid: a.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);

    const stored = (await getLb(lb))!;
    expect(stored.metadata.finalizers).toContain(LB_FINALIZER);
    expect((stored['status'] as any).ips).toEqual([spec.ips[0].ip]);
  });

  it('R-LB-05: dual-stack public LB: ips named after the lower-cased family', async () => {
    await network('lb-dual');
    const lb = await loadBalancer('lb-dual', 'dual', publicSpec(['IPv4', 'IPv6']));
    await h.reconcile(loadBalancerReconciler, 'lb-dual', 'dual');
    const ips = ((await getApinetLb(lb))!['spec'] as any).ips;
    expect(ips.map((e: any) => [e.name, e.ipFamily])).toEqual([['ipv4', 'IPv4'], ['ipv6', 'IPv6']]);
  });

  it('R-LB-04: internal LB: literal IPs and ephemeral Prefixes (SIM-03/04) guarded by controller and phase; names keep gaps', async () => {
    const ns = 'lb-internal';
    const net = await network(ns);
    const template = { spec: { ipFamily: 'IPv4', prefixLength: 32, parentRef: { name: 'root' } } };
    const lb = await loadBalancer(ns, 'int', {
      type: 'Internal',
      ipFamilies: ['IPv4', 'IPv6'],
      networkRef: { name: 'net' },
      ips: [{ ephemeral: { prefixTemplate: template } }, { value: 'fd00::10' }],
    });
    const literal = { name: 'ip-1', ipFamily: 'IPv6', ip: 'fd00::10' };
    const apinetIps = async () => ((await getApinetLb(lb))!['spec'] as any).ips;
    // No Prefix yet: only the literal entry, still named after its index.
    await h.reconcile(loadBalancerReconciler, ns, 'int');
    expect(await apinetIps()).toEqual([literal]);

    const owner = { apiVersion: 'networking.ironcore.dev/v1alpha1', kind: 'LoadBalancer', name: 'int', uid: lb.metadata.uid!, controller: true, blockOwnerDeletion: true };
    const prefix = async (ownerRefs: Array<typeof owner>, phase: string) => {
      await h.ironcore.apply(ironcore.Prefix, { apiVersion: 'ipam.ironcore.dev/v1alpha1', kind: 'Prefix', metadata: { name: 'int-0', namespace: ns, ownerReferences: ownerRefs }, spec: { ipFamily: 'IPv4', prefix: '10.1.0.5/32', parentRef: { name: 'root' } } }, { fieldManager: 'test' });
      await h.ironcore.mergePatch(ironcore.Prefix, ns, 'int-0', { status: { phase } }, { subresource: 'status' });
    };
    // Controlled but Pending → skipped.
    await prefix([owner], 'Pending');
    await h.reconcile(loadBalancerReconciler, ns, 'int');
    expect(await apinetIps()).toEqual([literal]);
    // Allocated but controlled by another (existing, so GC keeps the Prefix) object → skipped.
    await prefix([{ ...owner, kind: 'Network', name: 'net', uid: net.metadata.uid! }], 'Allocated');
    await h.reconcile(loadBalancerReconciler, ns, 'int');
    expect(await apinetIps()).toEqual([literal]);
    // Controlled and Allocated → ip-0 with the prefix base address.
    await prefix([owner], 'Allocated');
    await h.reconcile(loadBalancerReconciler, ns, 'int');
    // SSA keeps live items in place and appends new ones (kube-api.md 8.4), so compare as a set.
    const ips = await apinetIps();
    expect(ips).toHaveLength(2);
    expect(ips).toEqual(expect.arrayContaining([{ name: 'ip-0', ipFamily: 'IPv4', ip: '10.1.0.5' }, literal]));
    // R-LB-01: status.ips in the order of the stored apinet spec.ips.
    expect(((await getLb(lb))!['status'] as any).ips).toEqual(ips.map((e: any) => e.ip));
  });

  it('R-LB-03: network missing → nothing applied, no error, finalizer added', async () => {
    await h.namespace('lb-nonet');
    const lb = await loadBalancer('lb-nonet', 'orphan', publicSpec());
    await h.reconcile(loadBalancerReconciler, 'lb-nonet', 'orphan');
    expect(await getApinetLb(lb)).toBeUndefined();
    expect(await getApinetRouting(lb)).toBeUndefined();
    expect((await getLb(lb))!.metadata.finalizers).toContain(LB_FINALIZER);
  });

  it('R-LB-06, R-LB-07 (off): routing destinations from SIM-05; unparsable provider ID keeps ip only; no nodeAffinity by default', async () => {
    const ns = 'lb-routing';
    const net = await network(ns);
    const lb = await loadBalancer(ns, 'routed', publicSpec());
    await routing(ns, 'routed', net, lb);
    await h.reconcile(loadBalancerReconciler, ns, 'routed');
    expect((await getApinetRouting(lb))!['destinations']).toEqual([
      { ip: '192.168.1.1', targetRef: { uid: 'u-1', name: 'nic-1', nodeRef: { name: 'node-b' } } },
      { ip: '192.168.1.2', targetRef: { uid: 'u-2', name: 'nic-2', nodeRef: { name: 'node-a' } } },
      { ip: '192.168.1.3', targetRef: { uid: 'u-3', name: 'nic-3', nodeRef: { name: 'node-b' } } },
      { ip: '192.168.1.4' },
    ]);
    expect(((await getApinetLb(lb))!['spec'] as any).template.spec.affinity.nodeAffinity).toBeUndefined();
  });

  it('R-LB-09: an unknown type fails with "unknown load balancer type" and applies nothing', async () => {
    // The ironcore server rejects unknown types, so the object is altered after reading (as a newer CRD could serve it).
    await network('lb-type');
    const lb = await loadBalancer('lb-type', 'weird', publicSpec());
    const stored = (await getLb(lb))!;
    const odd = loadBalancerReconciler.schema.parse({ ...stored, metadata: { ...stored.metadata, finalizers: [LB_FINALIZER] }, spec: { ...(stored['spec'] as object), type: 'Weird' } });
    h.apinetEmulator.counters.reset();
    await expect(loadBalancerReconciler.reconcile(odd, h.env, testReconcileContext())).rejects.toThrow(UnknownLoadBalancerTypeError);
    await expect(loadBalancerReconciler.reconcile(odd, h.env, testReconcileContext())).rejects.toThrow(/unknown load balancer type/);
    expect(h.apinetEmulator.counters.get('patch')).toBe(0);
    expect(await getApinetLb(lb)).toBeUndefined();
  });

  it('R-LB-08: deletion deletes the apinet LB, the finalizer stays until it is gone, the routing goes by GC', async () => {
    const ns = 'lb-delete';
    await network(ns);
    const lb = await loadBalancer(ns, 'bye', publicSpec());
    await h.reconcile(loadBalancerReconciler, ns, 'bye');
    const a = (await getApinetLb(lb))!;
    // A foreign finalizer on the apinet LB keeps it "being deleted": the ironcore finalizer must stay.
    await h.apinet.mergePatch(apinet.LoadBalancer, ANS, a.metadata.name!, { metadata: { finalizers: ['test/hold'] } });
    await h.ironcore.delete(ironcore.LoadBalancer, ns, 'bye');
    await h.trigger('LoadBalancer', ns, 'bye');
    await h.drain(loadBalancerReconciler, { timeoutMs: 1_500 });
    expect((await getApinetLb(lb))?.metadata.deletionTimestamp).toBeTruthy();
    expect((await getLb(lb))!.metadata.finalizers).toContain(LB_FINALIZER);

    await h.apinet.mergePatch(apinet.LoadBalancer, ANS, a.metadata.name!, { metadata: { finalizers: null } });
    const r = await h.drain(loadBalancerReconciler, { timeoutMs: 15_000 });
    expect(r.remaining).toBe(0);
    expect(await getApinetLb(lb)).toBeUndefined();
    expect(await getLb(lb)).toBeUndefined();
    await expect.poll(() => getApinetRouting(lb), { timeout: 5_000 }).toBeUndefined();
  }, 30_000);

  it('R-GEN-06: delete-gone removes apinet LBs whose origin names a gone LoadBalancer', async () => {
    const ns = 'lb-gone';
    await network(ns);
    const lb = await loadBalancer(ns, 'ghost', publicSpec());
    await h.reconcile(loadBalancerReconciler, ns, 'ghost');
    // The ironcore LB vanishes without our deletion flow (finalizer stripped first).
    await h.ironcore.mergePatch(ironcore.LoadBalancer, ns, 'ghost', { metadata: { finalizers: null } });
    await h.ironcore.delete(ironcore.LoadBalancer, ns, 'ghost');
    expect(await getApinetLb(lb)).toBeDefined();
    await h.reconcile(loadBalancerReconciler, ns, 'ghost');
    expect(await getApinetLb(lb)).toBeUndefined();
  });

  it('R-GEN-06: a DELETE of an old LB whose name was reused removes only the old projection', async () => {
    const ns = 'lb-reuse';
    await network(ns);
    const old = await loadBalancer(ns, 'again', publicSpec());
    await h.reconcile(loadBalancerReconciler, ns, 'again');
    await h.ironcore.mergePatch(ironcore.LoadBalancer, ns, 'again', { metadata: { finalizers: null } });
    await h.ironcore.delete(ironcore.LoadBalancer, ns, 'again');
    const fresh = await loadBalancer(ns, 'again', publicSpec());
    expect(fresh.metadata.uid).not.toBe(old.metadata.uid);
    await h.reconcile(loadBalancerReconciler, ns, 'again', { op: 'DELETE', uid: old.metadata.uid! });
    expect(await getApinetLb(old)).toBeUndefined();
    expect(await getApinetLb(fresh)).toBeDefined();
  });

  it('converges after injected 500s on the apinet apply and 409s on the ironcore status patch', async () => {
    const ns = 'lb-faults';
    await network(ns);
    const lb = await loadBalancer(ns, 'flaky', publicSpec());
    const clearA = h.apinetEmulator.faults.inject({ verb: 'patch', resource: 'loadbalancers', status: 500, count: 1 });
    const clearB = h.ironcoreEmulator.faults.inject({ verb: 'patch', resource: 'loadbalancers/status', status: 409, count: 1 });
    try {
      await h.reconcile(loadBalancerReconciler, ns, 'flaky');
    } finally {
      clearA();
      clearB();
    }
    const ip = ((await getApinetLb(lb))!['spec'] as any).ips[0].ip;
    expect(((await getLb(lb))!['status'] as any).ips).toEqual([ip]);
  }, 30_000);

  it('a crash between the apinet apply and the status patch is finished by the next reconcile', async () => {
    const ns = 'lb-crash';
    await network(ns);
    const lb = await loadBalancer(ns, 'half', publicSpec());
    // The status write fails every time in the first pass (as if the function died there).
    const clear = h.ironcoreEmulator.faults.inject({ verb: 'patch', resource: 'loadbalancers/status', status: 500 });
    await h.trigger('LoadBalancer', ns, 'half');
    await h.drain(loadBalancerReconciler, { timeoutMs: 800 });
    clear();
    expect(await getApinetLb(lb)).toBeDefined();
    // No status written (a real ironcore server answers `status: {}` for an object never given one).
    expect(((await getLb(lb))!['status'] as { ips?: unknown } | undefined)?.ips).toBeUndefined();
    const r = await h.drain(loadBalancerReconciler, { timeoutMs: 15_000 });
    expect(r.remaining).toBe(0);
    expect(((await getLb(lb))!['status'] as any).ips).toHaveLength(1);
  }, 30_000);

  it('API calls: first reconcile and a no-op reconcile; a no-op writes nothing but the server-side applies', async () => {
    const ns = 'lb-calls';
    await network(ns);
    await loadBalancer(ns, 'count', publicSpec());
    const first = await measure(() => h.reconcile(loadBalancerReconciler, ns, 'count'));
    const noop = await measure(() => h.reconcile(loadBalancerReconciler, ns, 'count'));
    console.info(`[LB API calls] first: ${JSON.stringify(first)}\n[LB API calls] no-op: ${JSON.stringify(noop)}`);
    expect(noop.ironcore.nonApplyWrites).toBe(0);
    expect(noop.apinet.nonApplyWrites).toBe(0);
    // issue 12: the applies are skipped (the objects already carry them under our manager): no write, on both tiers
    expect(noop.apinet.applies).toBe(0);
    expect(noop.apinet.writes).toBe(0);
    // finalizer + status, plus one Event each for the two projections created (LoadBalancer, LoadBalancerRouting)
    expect(first.ironcore.byVerb['create events']).toBe(2);
    expect(first.ironcore.nonApplyWrites).toBe(2 + 2);
    expect(noop.ironcore.byVerb['create events'] ?? 0).toBe(0);
  });
});

describe('LoadBalancer reconcile, node-affinity aware', () => {
  let n: Harness;
  beforeAll(async () => {
    n = await startHarness({ settings: { nodeAffinityAware: true } });
  }, 60_000);
  afterAll(async () => n?.stop());

  it('R-LB-07: one sorted node-selector term per distinct node; none without destinations', async () => {
    const ns = 'lb-affinity';
    await n.namespace(ns);
    const net = await n.ironcore.apply(ironcore.Network, { apiVersion: 'networking.ironcore.dev/v1alpha1', kind: 'Network', metadata: { name: 'net', namespace: ns }, spec: {} }, { fieldManager: 'test' });
    const lb = await n.ironcore.apply(ironcore.LoadBalancer, { apiVersion: 'networking.ironcore.dev/v1alpha1', kind: 'LoadBalancer', metadata: { name: 'aff', namespace: ns }, spec: publicSpec() }, { fieldManager: 'test' });
    await n.reconcile(loadBalancerReconciler, ns, 'aff');
    const affinity = async () => ((await n.apinet.get(apinet.LoadBalancer, ANS, lb.metadata.uid!))!['spec'] as any).template.spec.affinity;
    expect((await affinity()).nodeAffinity).toBeUndefined();

    await routing(ns, 'aff', net, lb, n);
    await n.reconcile(loadBalancerReconciler, ns, 'aff');
    expect((await affinity()).nodeAffinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-a'] }] },
          { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-b'] }] },
        ],
      },
    });
  });
});

/** SIM-05: the ironcore LoadBalancerRouting with destinations on nodes b, a, b and one unparsable provider ID. */
async function routing(ns: string, name: string, net: KubeObject, lb: KubeObject, hh: Harness = h): Promise<void> {
  const pid = (nic: string, node: string, uid: string) => `ironcore-net://${ANS}/${nic}/${node}/${uid}`;
  await hh.ironcore.apply(
    ironcore.LoadBalancerRouting,
    {
      apiVersion: 'networking.ironcore.dev/v1alpha1',
      kind: 'LoadBalancerRouting',
      metadata: { name, namespace: ns, ownerReferences: [{ apiVersion: 'networking.ironcore.dev/v1alpha1', kind: 'LoadBalancer', name, uid: lb.metadata.uid!, controller: true }] },
      networkRef: { name: net.metadata.name, uid: net.metadata.uid },
      destinations: [
        { ip: '192.168.1.1', targetRef: { uid: 'i-1', name: 'n-1', providerID: pid('nic-1', 'node-b', 'u-1') } },
        { ip: '192.168.1.2', targetRef: { uid: 'i-2', name: 'n-2', providerID: pid('nic-2', 'node-a', 'u-2') } },
        { ip: '192.168.1.3', targetRef: { uid: 'i-3', name: 'n-3', providerID: pid('nic-3', 'node-b', 'u-3') } },
        { ip: '192.168.1.4', targetRef: { uid: 'i-4', name: 'n-4', providerID: 'not-a-provider-id' } },
      ],
    },
    { fieldManager: 'test' },
  );
}
