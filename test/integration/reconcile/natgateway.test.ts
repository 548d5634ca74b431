/**
 * NATGateway reconcile (behavior.md 3.4) over real HTTP: emulated ironcore + apinet clusters, real
 * SQS batches through the Lambda handler. The tests play SIM-08 (the autoscaler writing spec.ips).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APINET_NAMESPACE, measureApiCalls, startHarness, type Harness } from '../harness.ts';
import { apinet, apiVersionOf, ironcore } from '../../../shared/api/resources.ts';
import type { KubeObject } from '../../../shared/kube/types.ts';
import { natGatewayReconciler } from '../../../shared/reconcile/natgateway.ts';

const FINALIZER = 'apinet.ironcore.dev/natgateway';
const ORIGIN = 'apinetlet.ironcore.dev/natgateway';
type Obj = KubeObject & { spec?: any; status?: any };
const inPool = (ip: unknown) => typeof ip === 'string' && /^10\.0\.0\.\d{1,3}$/.test(ip);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(async () => {
  await h?.stop();
});


async function createNetwork(ns: string, name: string): Promise<Obj> {
  await h.namespace(ns);
  return h.ironcore.apply(ironcore.Network, { apiVersion: apiVersionOf(ironcore.Network), kind: 'Network', metadata: { name, namespace: ns }, spec: {} }, { fieldManager: 'test' });
}
async function createNatGateway(ns: string, name: string, network: string, extra: Record<string, unknown> = {}): Promise<Obj> {
  await h.namespace(ns);
  return h.ironcore.apply(
    ironcore.NATGateway,
    { apiVersion: apiVersionOf(ironcore.NATGateway), kind: 'NATGateway', metadata: { name, namespace: ns }, spec: { type: 'Public', ipFamily: 'IPv4', networkRef: { name: network }, ...extra } },
    { fieldManager: 'test' },
  );
}
const getNatGateway = (ns: string, name: string) => h.ironcore.get<Obj>(ironcore.NATGateway, ns, name);
const getApinetNatGateway = (uid: string) => h.apinet.get<Obj>(apinet.NATGateway, APINET_NAMESPACE, uid);
const getAutoscaler = (uid: string) => h.apinet.get<Obj>(apinet.NATGatewayAutoscaler, APINET_NAMESPACE, uid);
const reconcile = (ns: string, name: string) => h.reconcile(natGatewayReconciler, ns, name);
/** SIM-08: the ironcore-net NAT gateway autoscaler writes spec.ips under its own field manager. */
const autoscalerWritesIps = (uid: string, ips: Array<{ name: string }> | null) =>
  h.apinet.mergePatch<Obj>(apinet.NATGateway, APINET_NAMESPACE, uid, { spec: { ips } }, { fieldManager: 'natgateway-autoscaler' });

const measure = (run: () => Promise<void>) => measureApiCalls(h, run);

describe('NATGateway reconcile', () => {
  it('R-NATGW-01/R-NATGW-02/R-GEN-01: apinet NATGateway from the ironcore spec; autoscaler owned by it', async () => {
    const net = await createNetwork('ngw-a', 'net');
    const gw = await createNatGateway('ngw-a', 'gw', 'net', { portsPerNetworkInterface: 1024 });
    await reconcile('ngw-a', 'gw');
    const uid = gw.metadata.uid!;
    const ag = await getApinetNatGateway(uid);
    expect(ag).toBeDefined();
    // Only the ironcore Network is needed, not its apinet projection; spec.type is not transferred.
    expect(await h.apinet.get(apinet.Network, APINET_NAMESPACE, net.metadata.uid!)).toBeUndefined();
    // spec.ips belongs to the autoscaler (SRV-06); a real ironcore-net one may have written it already.
    const { ips: _autoscalerIps, ...applied } = ag!.spec as Record<string, unknown>;
    expect(applied).toEqual({ ipFamily: 'IPv4', networkRef: { name: net.metadata.uid }, portsPerNetworkInterface: 1024 });
    const origin = { labels: { [`${ORIGIN}-uid`]: uid, [`${ORIGIN}-namespace`]: 'ngw-a' }, annotations: { [`${ORIGIN}-name`]: 'gw' } };
    expect(ag!.metadata).toMatchObject(origin);
    const as = await getAutoscaler(uid);
    expect(as!.spec).toEqual({ natGatewayRef: { name: uid }, minPublicIPs: 1, maxPublicIPs: 10 });
    expect(as!.metadata).toMatchObject(origin);
    expect(as!.metadata.ownerReferences).toEqual([
      { apiVersion: 'core.apinet.ironcore.dev/v1alpha1', kind: 'NATGateway', name: uid, uid: ag!.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect((await getNatGateway('ngw-a', 'gw'))!.metadata.finalizers).toContain(FINALIZER);
  });

  it('R-NATGW-01: portsPerNetworkInterface defaults to 2048', async () => {
    await createNetwork('ngw-b', 'net');
    const gw = await createNatGateway('ngw-b', 'gw', 'net');
    await reconcile('ngw-b', 'gw');
    expect((await getApinetNatGateway(gw.metadata.uid!))!.spec.portsPerNetworkInterface).toBe(2048);
  });

  it('R-NATGW-05: without its ironcore Network nothing is applied and nothing waits; once it exists the gateway is applied', async () => {
    const gw = await createNatGateway('ngw-c', 'gw', 'later');
    await reconcile('ngw-c', 'gw'); // throws if the message were still queued (no requeue loop)
    expect(await getApinetNatGateway(gw.metadata.uid!)).toBeUndefined();
    await createNetwork('ngw-c', 'later');
    await reconcile('ngw-c', 'gw');
    expect(await getApinetNatGateway(gw.metadata.uid!)).toBeDefined();
  });

  it('R-NATGW-03 with the real ironcore-net autoscaler: the spec.ips it writes survive the re-apply; status.ips follow them', async () => {
    // Real tier only: there the controller-manager's NATGatewayAutoscaler plays SIM-08 (at least
    // minPublicIPs = 1 entry); on the emulator the SIM-08 test below plays it.
    if (h.tier !== 'real') return;
    await createNetwork('ngw-r', 'net');
    const gw = await createNatGateway('ngw-r', 'gw', 'net');
    await reconcile('ngw-r', 'gw');
    const uid = gw.metadata.uid!;
    const scaled = await expect
      .poll(async () => ((await getApinetNatGateway(uid))?.spec.ips as Array<{ name: string; ip?: string }> | undefined)?.filter((e) => e.ip), { timeout: 10_000 })
      .toHaveLength(1)
      .then(() => getApinetNatGateway(uid));
    const ips = scaled!.spec.ips as Array<{ ip: string }>;
    expect(ips.every((e) => inPool(e.ip))).toBe(true);
    await reconcile('ngw-r', 'gw');
    expect((await getApinetNatGateway(uid))!.spec.ips).toEqual(ips);
    expect((await getNatGateway('ngw-r', 'gw'))!.status.ips).toEqual(ips.map((e) => e.ip));
  });

  it('R-NATGW-03 with SIM-08: spec.ips of the autoscaler survive the re-apply; status.ips follow them, down to empty', async () => {
    // Emulator only: on the real tier ironcore-net's own autoscaler rewrites spec.ips at once (test above).
    if (h.tier === 'real') return;
    await createNetwork('ngw-d', 'net');
    const gw = await createNatGateway('ngw-d', 'gw', 'net');
    await reconcile('ngw-d', 'gw');
    const uid = gw.metadata.uid!;
    expect((await getNatGateway('ngw-d', 'gw'))!.status?.ips ?? []).toEqual([]);

    const scaled = await autoscalerWritesIps(uid, [{ name: 'ip-1' }, { name: 'ip-2' }]);
    const addrs = (scaled.spec.ips as Array<{ ip: string }>).map((e) => e.ip);
    expect(addrs.every(inPool)).toBe(true);
    await reconcile('ngw-d', 'gw');
    expect((await getApinetNatGateway(uid))!.spec.ips).toEqual(scaled.spec.ips);
    expect((await getNatGateway('ngw-d', 'gw'))!.status.ips).toEqual(addrs);

    // Scaled down (a merge patch replaces the list; the server allocates what has no ip, SRV-03).
    const shrunk = await autoscalerWritesIps(uid, [{ name: 'ip-2' }]);
    const shrunkAddr = (shrunk.spec.ips as Array<{ ip: string }>)[0]!.ip;
    expect(inPool(shrunkAddr)).toBe(true);
    await reconcile('ngw-d', 'gw');
    expect((await getNatGateway('ngw-d', 'gw'))!.status.ips).toEqual([shrunkAddr]);

    await autoscalerWritesIps(uid, null);
    await reconcile('ngw-d', 'gw');
    expect((await getNatGateway('ngw-d', 'gw'))!.status?.ips ?? []).toEqual([]);
  });

  it('failures: a 500 on the autoscaler apply and a crash before the status patch converge on retry', async () => {
    await createNetwork('ngw-e', 'net');
    const gw = await createNatGateway('ngw-e', 'gw', 'net');
    await reconcile('ngw-e', 'gw');
    const uid = gw.metadata.uid!;
    const scaled = await autoscalerWritesIps(uid, [{ name: 'ip-1' }]);
    h.apinetEmulator.faults.inject({ verb: 'patch', resource: 'natgatewayautoscalers', status: 500, count: 1 });
    h.ironcoreEmulator.faults.inject({ verb: 'patch', resource: 'natgateways/status', status: 500, count: 1 });
    await reconcile('ngw-e', 'gw');
    expect((await getNatGateway('ngw-e', 'gw'))!.status.ips).toEqual([scaled.spec.ips[0].ip]);
    expect(await getAutoscaler(uid)).toBeDefined();
  });

  it('R-NATGW-04: the finalizer stays until the apinet NATGateway is gone; the autoscaler goes with it by GC', async () => {
    await createNetwork('ngw-f', 'net');
    const gw = await createNatGateway('ngw-f', 'gw', 'net');
    await reconcile('ngw-f', 'gw');
    const uid = gw.metadata.uid!;
    await h.apinet.mergePatch(apinet.NATGateway, APINET_NAMESPACE, uid, { metadata: { finalizers: ['test.example/hold'] } });
    await h.ironcore.delete(ironcore.NATGateway, 'ngw-f', 'gw');
    await h.trigger('NATGateway', 'ngw-f', 'gw', { op: 'DELETE', uid });
    expect((await h.drain(natGatewayReconciler, { timeoutMs: 2500 })).remaining).toBe(1);
    expect((await getApinetNatGateway(uid))!.metadata.deletionTimestamp).toBeTruthy();
    expect((await getNatGateway('ngw-f', 'gw'))!.metadata.finalizers).toContain(FINALIZER);
    await h.apinet.mergePatch(apinet.NATGateway, APINET_NAMESPACE, uid, { metadata: { finalizers: null } });
    expect((await h.drain(natGatewayReconciler)).remaining).toBe(0);
    expect(await getApinetNatGateway(uid)).toBeUndefined();
    expect(await getNatGateway('ngw-f', 'gw')).toBeUndefined();
    await expect.poll(() => getAutoscaler(uid), { timeout: 5000 }).toBeUndefined();
  });

  it('R-GEN-06: apinet NATGateways of a gone NATGateway are deleted; others of the namespace stay', async () => {
    const gwOf = (name: string, source: string) => ({
      apiVersion: apiVersionOf(apinet.NATGateway),
      kind: 'NATGateway',
      metadata: { name, namespace: APINET_NAMESPACE, labels: { [`${ORIGIN}-uid`]: `uid-${name}`, [`${ORIGIN}-namespace`]: 'ngw-g' }, annotations: { [`${ORIGIN}-name`]: source } },
      spec: { ipFamily: 'IPv4', networkRef: { name: 'x' }, portsPerNetworkInterface: 2048 },
    });
    await h.namespace('ngw-g');
    await h.apinet.apply(apinet.NATGateway, gwOf('dangling-gw', 'ghost'), { fieldManager: 'test' });
    await h.apinet.apply(apinet.NATGateway, gwOf('other-gw', 'alive'), { fieldManager: 'test' });
    await reconcile('ngw-g', 'ghost');
    expect(await getApinetNatGateway('dangling-gw')).toBeUndefined();
    expect(await getApinetNatGateway('other-gw')).toBeDefined();
  });

  it('API calls: first reconcile and a no-op reconcile; the no-op writes nothing but the applies', async () => {
    await createNetwork('ngw-h', 'net');
    const gw = await createNatGateway('ngw-h', 'gw', 'net');
    await reconcile('ngw-h', 'gw');
    await autoscalerWritesIps(gw.metadata.uid!, [{ name: 'ip-1' }]);
    const first = await measure(() => reconcile('ngw-h', 'gw')); // status.ips changes
    const noop = await measure(() => reconcile('ngw-h', 'gw'));
    console.info(`[calls] NATGateway statusChange=${JSON.stringify(first)} noop=${JSON.stringify(noop)}`);
    expect(first.ironcore.byVerb['patch natgateways/status']).toBe(1);
    expect(noop.ironcore.writes).toBe(0);
    expect(noop.apinet.nonApplyWrites).toBe(0);
    // issue 12: the applies are skipped (the objects already carry them under our manager): no write, on both tiers
    expect(noop.apinet.applies).toBe(0);
    expect(noop.apinet.writes).toBe(0);
  });

  it('API calls: very first reconcile (finalizer, two applies, no status change)', async () => {
    await createNetwork('ngw-i', 'net');
    await createNatGateway('ngw-i', 'gw', 'net');
    const first = await measure(() => reconcile('ngw-i', 'gw'));
    console.info(`[calls] NATGateway first=${JSON.stringify(first)}`);
    // the finalizer (status.ips is still empty), plus the ProjectionCreated Events of the NATGateway and its autoscaler
    expect(first.ironcore.byVerb['create events']).toBe(2);
    expect(first.ironcore.writes).toBe(1 + 2);
    expect(first.apinet.applies).toBe(2);
  });
});
