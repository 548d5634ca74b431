/**
 * Taking over from the Go apinetlet on the emulator (README "Replacing the Go apinetlet"; the real
 * Go binary runs in test/real/migration.test.ts). The apinet objects are written exactly as
 * ironcore-net v0.3.0 leaves them (apinetlet/controllers): origin name as a *label*, applies under
 * the shared field manager `ironcore.dev/apinetlet`, a Network with peerings re-applied as the whole
 * object it read (so that manager owns the server-assigned `spec.id`), a LoadBalancer whose
 * immutable `spec.selector` matches all three origin labels; the ironcore objects carry its
 * finalizers and the provider ID it wrote.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APINETLET_FIELD_MANAGER, finalizerOf, originKeysOf } from '../../../shared/api/origin.ts';
import { formatNetworkProviderId } from '../../../shared/api/provider-id.ts';
import { apinet, apiVersionOf, core, ironcore } from '../../../shared/api/resources.ts';
import type { KubeObject } from '../../../shared/kube/types.ts';
import { loadBalancerReconciler } from '../../../shared/reconcile/loadbalancer.ts';
import { networkReconciler } from '../../../shared/reconcile/network.ts';
import { runResync } from '../../../shared/resync/index.ts';
import { APINET_NAMESPACE as ANS, measureApiCalls, startHarness, type Harness } from '../harness.ts';

type Obj = KubeObject & { spec?: any; status?: any };
type ManagedField = { manager: string; operation: string; subresource?: string; fieldsV1?: Record<string, any> };
const GO = APINETLET_FIELD_MANAGER;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(async () => h?.stop());

/** v0.3.0 SourceLabels: uid, namespace and name, all labels. */
const goLabels = (kind: 'Network' | 'LoadBalancer', o: KubeObject) => {
  const k = originKeysOf(kind);
  return { [k.uidLabel]: o.metadata.uid!, [k.namespaceLabel]: o.metadata.namespace!, [k.nameAnnotation]: o.metadata.name! };
};

/** The ironcore object with the Go finalizer, as the Go apinetlet's first reconcile leaves it. */
async function ironcoreObject(res: typeof ironcore.Network | typeof ironcore.LoadBalancer, ns: string, name: string, spec: Record<string, unknown>): Promise<Obj> {
  const kind = res.kind as 'Network' | 'LoadBalancer';
  return h.ironcore.apply<Obj>(
    res,
    { apiVersion: apiVersionOf(res), kind, metadata: { namespace: ns, name, finalizers: [finalizerOf(kind)] }, spec },
    { fieldManager: 'test', force: true },
  );
}

/** Go: apply the apinet Network (no id), then, peerings changed, re-apply the object as read (network_controller.go). */
async function goNetwork(ns: string): Promise<{ net: Obj; anet: Obj }> {
  const net = await ironcoreObject(ironcore.Network, ns, 'net', {});
  const applied = await h.apinet.apply<Obj>(
    apinet.Network,
    { apiVersion: apiVersionOf(apinet.Network), kind: 'Network', metadata: { namespace: ANS, name: net.metadata.uid!, labels: goLabels('Network', net) }, spec: {} },
    { fieldManager: GO, force: true },
  );
  const { managedFields: _m, resourceVersion: _r, uid: _u, creationTimestamp: _c, generation: _g, ...meta } = applied.metadata as Record<string, unknown>;
  const anet = await h.apinet.apply<Obj>(apinet.Network, { apiVersion: applied.apiVersion, kind: 'Network', metadata: meta as never, spec: { ...applied.spec, peerings: [] } }, { fieldManager: GO, force: true });
  const providerID = formatNetworkProviderId({ namespace: ANS, name: anet.metadata.name!, id: anet.spec.id, uid: anet.metadata.uid! });
  await h.ironcore.mergePatch(ironcore.Network, ns, 'net', { spec: { providerID } });
  return { net: (await h.ironcore.get<Obj>(ironcore.Network, ns, 'net'))!, anet };
}

const ownsOf = (o: Obj, manager: string): Record<string, any> | undefined =>
  ((o.metadata.managedFields ?? []) as ManagedField[]).find((m) => m.manager === manager && m.operation === 'Apply' && !m.subresource)?.fieldsV1;

describe('taking over from the Go apinetlet (v0.3.0 state)', () => {
  it('Network: the Go-owned spec.id is disowned once, nothing is recreated, the VNI and provider ID stay, R-MIG-01 moves the name label', async () => {
    const ns = `mig-${randomUUID().slice(0, 6)}`;
    await h.namespace(ns);
    const { net, anet } = await goNetwork(ns);
    expect(ownsOf(anet, GO)?.['f:spec']?.['f:id'], 'the Go apply owns spec.id (the premise)').toBeDefined();

    await h.reconcile(networkReconciler, ns, 'net');
    const after = (await h.apinet.get<Obj>(apinet.Network, ANS, net.metadata.uid!))!;
    expect(after.metadata.uid).toBe(anet.metadata.uid);
    expect(after.spec.id).toBe(anet.spec.id);
    expect(ownsOf(after, GO)?.['f:spec']?.['f:id']).toBeUndefined();
    const keys = originKeysOf('Network');
    // Our apply under the same manager no longer applies the name label: it is gone, the annotation is there.
    expect(after.metadata.labels?.[keys.nameAnnotation]).toBeUndefined();
    expect(after.metadata.annotations?.[keys.nameAnnotation]).toBe('net');
    const ironcoreAfter = (await h.ironcore.get<Obj>(ironcore.Network, ns, 'net'))!;
    expect(ironcoreAfter.spec.providerID).toBe(net.spec.providerID);
    expect(ironcoreAfter.metadata.finalizers).toEqual([finalizerOf('Network')]);

    // Converged: the next reconcile reads once and writes nothing (no handover again).
    h.apinetEmulator.counters.reset();
    await h.reconcile(networkReconciler, ns, 'net');
    // (the no-op apply is skipped: the object already carries it under our manager, issue 12)
    expect(h.apinetEmulator.counters.snapshot()).toEqual({ 'get networks': 1 });

    // The Go finalizer is honoured: delete → projection gone → finalizer removed → object gone.
    await h.ironcore.delete(ironcore.Network, ns, 'net');
    await h.reconcile(networkReconciler, ns, 'net');
    expect(await h.ironcore.get(ironcore.Network, ns, 'net')).toBeUndefined();
    expect(await h.apinet.get(apinet.Network, ANS, net.metadata.uid!)).toBeUndefined();
  });

  it('LoadBalancer: the immutable three-label selector is kept, the rest converges, nothing is recreated', async () => {
    const ns = `mig-${randomUUID().slice(0, 6)}`;
    await h.namespace(ns);
    const { net, anet } = await goNetwork(ns);
    const lb = await ironcoreObject(ironcore.LoadBalancer, ns, 'lb', { type: 'Internal', ipFamilies: ['IPv4'], networkRef: { name: 'net' }, ips: [{ value: '10.0.0.5' }] });
    const labels = goLabels('LoadBalancer', lb);
    const alb = await h.apinet.apply<Obj>(
      apinet.LoadBalancer,
      {
        apiVersion: apiVersionOf(apinet.LoadBalancer),
        kind: 'LoadBalancer',
        metadata: { namespace: ANS, name: lb.metadata.uid!, labels },
        spec: { type: 'Internal', networkRef: { name: anet.metadata.name }, ips: [{ name: 'ipv4', ipFamily: 'IPv4', ip: '10.0.0.5' }], selector: { matchLabels: labels }, template: { metadata: { labels } } },
      },
      { fieldManager: GO, force: true },
    );
    void net;

    const takeover = await measureApiCalls(h, () =>
      h.reconcile(loadBalancerReconciler, ns, 'lb').catch(async (err) => {
        const evs = (await h.ironcore.list(core.Event, { namespace: ns })).items.map((e) => `${e.reason}: ${e.message}`);
        throw new Error(`${(err as Error).message}\n${evs.join('\n')}`);
      }),
    );
    // The stored selector is kept from the GET the apply makes anyway: one apply each (LB, routing),
    // no apply rejected as "field is immutable" first, no extra read.
    expect(takeover.apinet.applies, JSON.stringify(takeover.apinet)).toBe(2);
    expect(takeover.apinet.byVerb['get loadbalancers']).toBe(1);
    // and once taken over, a reconcile writes nothing (the kept selector counts as carried)
    const again = await measureApiCalls(h, () => h.reconcile(loadBalancerReconciler, ns, 'lb'));
    expect(again.apinet.writes, JSON.stringify(again.apinet)).toBe(0);
    const after = (await h.apinet.get<Obj>(apinet.LoadBalancer, ANS, lb.metadata.uid!))!;
    expect(after.metadata.uid).toBe(alb.metadata.uid);
    expect(after.spec.selector).toEqual({ matchLabels: labels });
    expect(after.metadata.annotations?.[originKeysOf('LoadBalancer').nameAnnotation]).toBe('lb');
    const routing = (await h.apinet.get<Obj>(apinet.LoadBalancerRouting, ANS, lb.metadata.uid!))!;
    expect(routing.metadata.annotations?.[originKeysOf('LoadBalancer').nameAnnotation]).toBe('lb');
    expect((await h.ironcore.get<Obj>(ironcore.LoadBalancer, ns, 'lb'))!.status?.ips).toEqual(['10.0.0.5']);

    await h.ironcore.delete(ironcore.LoadBalancer, ns, 'lb');
    await h.reconcile(loadBalancerReconciler, ns, 'lb');
    expect(await h.ironcore.get(ironcore.LoadBalancer, ns, 'lb')).toBeUndefined();
    expect(await h.apinet.get(apinet.LoadBalancer, ANS, lb.metadata.uid!)).toBeUndefined();
  });

  it('R-MIG-01 in the resync moves the Go name label of every projection, nothing else changes', async () => {
    const ns = `mig-${randomUUID().slice(0, 6)}`;
    await h.namespace(ns);
    const { net, anet } = await goNetwork(ns);
    const summary = await runResync(
      { ironcore: h.ironcore, apinet: h.apinet, enqueuer: { enqueue: async () => undefined }, logger: { info: () => undefined, warn: () => undefined, error: () => undefined } },
      { apinetNamespace: ANS, phases: { full: false, orphans: false } },
    );
    expect(summary.migrated).toBeGreaterThanOrEqual(1);
    const after = (await h.apinet.get<Obj>(apinet.Network, ANS, net.metadata.uid!))!;
    const keys = originKeysOf('Network');
    expect(after.metadata.uid).toBe(anet.metadata.uid);
    expect(after.spec.id).toBe(anet.spec.id);
    expect(after.metadata.labels?.[keys.nameAnnotation]).toBeUndefined();
    expect(after.metadata.annotations?.[keys.nameAnnotation]).toBe('net');
  });
});
