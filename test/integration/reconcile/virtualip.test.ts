/**
 * VirtualIP reconcile (behavior.md 3.7) over real HTTP: emulated ironcore + apinet clusters, real
 * SQS batches through the Lambda handler (test/integration/harness.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APINET_NAMESPACE, measureApiCalls, startHarness, type Harness } from '../harness.ts';
import { apinet, apiVersionOf, ironcore } from '../../../shared/api/resources.ts';
import type { KubeObject } from '../../../shared/kube/types.ts';
import { virtualIpReconciler } from '../../../shared/reconcile/virtualip.ts';

const FINALIZER = 'apinet.ironcore.dev/virtualip';
const ORIGIN = 'apinetlet.ironcore.dev/virtualip';
const inPool = (ip: unknown) => typeof ip === 'string' && /^10\.0\.0\.\d{1,3}$/.test(ip);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(async () => {
  await h?.stop();
});


async function createVip(ns: string, name: string, extraMeta: Record<string, unknown> = {}): Promise<KubeObject> {
  await h.namespace(ns);
  return h.ironcore.apply(
    ironcore.VirtualIP,
    { apiVersion: apiVersionOf(ironcore.VirtualIP), kind: 'VirtualIP', metadata: { name, namespace: ns, ...extraMeta }, spec: { type: 'Public', ipFamily: 'IPv4' } },
    { fieldManager: 'test' },
  );
}
const getVip = (ns: string, name: string) => h.ironcore.get(ironcore.VirtualIP, ns, name);
const getIp = (uid: string) => h.apinet.get(apinet.IP, APINET_NAMESPACE, uid);

const measure = (run: () => Promise<void>) => measureApiCalls(h, run);

describe('VirtualIP reconcile', () => {
  it('R-VIP-01/R-VIP-02/R-GEN-01/R-GEN-07: public apinet IP named by uid with origin keys; status.ip = allocated address', async () => {
    const vip = await createVip('vip-a', 'vip1');
    await h.reconcile(virtualIpReconciler, 'vip-a', 'vip1');
    const uid = vip.metadata.uid!;
    const ip = await getIp(uid);
    expect(ip).toBeDefined();
    expect(ip!.spec).toMatchObject({ type: 'Public', ipFamily: 'IPv4' });
    expect((ip!.spec as { claimRef?: unknown }).claimRef ?? undefined).toBeUndefined();
    expect(ip!.metadata.labels).toMatchObject({ [`${ORIGIN}-uid`]: uid, [`${ORIGIN}-namespace`]: 'vip-a' });
    expect(ip!.metadata.annotations).toMatchObject({ [`${ORIGIN}-name`]: 'vip1' });
    const managers = (ip!.metadata.managedFields as Array<{ manager: string; operation: string }>).map((m) => `${m.manager}/${m.operation}`);
    expect(managers).toContain('ironcore.dev/apinetlet/Apply');
    const addr = (ip!.spec as { ip?: string }).ip;
    expect(inPool(addr)).toBe(true);
    const stored = await getVip('vip-a', 'vip1');
    expect(stored!.metadata.finalizers).toContain(FINALIZER);
    expect((stored!.status as { ip?: string }).ip).toBe(addr);
  });

  it('R-VIP-02: while the apply fails status.ip stays unset; the reconcile converges once the apinet server recovers', async () => {
    const vip = await createVip('vip-b', 'vip1');
    const stop = h.apinetEmulator.faults.inject({ verb: 'patch', resource: 'ips', status: 500 });
    try {
      await h.trigger('VirtualIP', 'vip-b', 'vip1');
      const first = await h.drain(virtualIpReconciler, { timeoutMs: 2500 });
      expect(first.remaining).toBe(1);
      const stored = await getVip('vip-b', 'vip1');
      expect((stored!.status as { ip?: string } | undefined)?.ip ?? undefined).toBeUndefined();
      expect(await getIp(vip.metadata.uid!)).toBeUndefined();
    } finally {
      stop();
    }
    const after = await h.drain(virtualIpReconciler, { timeoutMs: 20_000 });
    expect(after.remaining).toBe(0);
    const ip = await getIp(vip.metadata.uid!);
    expect((( await getVip('vip-b', 'vip1'))!.status as { ip?: string }).ip).toBe((ip!.spec as { ip: string }).ip);
  });

  it('crash between the apply and the status patch: the next reconcile finishes with the same apinet IP', async () => {
    const vip = await createVip('vip-c', 'vip1');
    h.ironcoreEmulator.faults.inject({ verb: 'patch', resource: 'virtualips/status', status: 500, count: 1 });
    await h.reconcile(virtualIpReconciler, 'vip-c', 'vip1');
    const ip = await getIp(vip.metadata.uid!);
    const addr = (ip!.spec as { ip: string }).ip;
    expect((( await getVip('vip-c', 'vip1'))!.status as { ip?: string }).ip).toBe(addr);
    // One IP for this VIP, not one per attempt.
    const all = await h.apinet.list(apinet.IP, { namespace: APINET_NAMESPACE, labelSelector: `${ORIGIN}-uid=${vip.metadata.uid}` });
    expect(all.items).toHaveLength(1);
  });

  it('409 conflicts on the apply are retried until they pass', async () => {
    const vip = await createVip('vip-d', 'vip1');
    h.apinetEmulator.faults.inject({ verb: 'patch', resource: 'ips', status: 409, count: 2 });
    await h.reconcile(virtualIpReconciler, 'vip-d', 'vip1');
    expect(inPool(((await getIp(vip.metadata.uid!))!.spec as { ip?: string }).ip)).toBe(true);
    expect(inPool(((await getVip('vip-d', 'vip1'))!.status as { ip?: string }).ip)).toBe(true);
  });

  it('R-VIP-03: deletion keeps the finalizer until the apinet IP is gone', async () => {
    const vip = await createVip('vip-e', 'vip1');
    await h.reconcile(virtualIpReconciler, 'vip-e', 'vip1');
    const uid = vip.metadata.uid!;
    // Another party holds the apinet IP for a while (its finalizer), so its deletion takes time.
    await h.apinet.mergePatch(apinet.IP, APINET_NAMESPACE, uid, { metadata: { finalizers: ['test.example/hold'] } });
    await h.ironcore.delete(ironcore.VirtualIP, 'vip-e', 'vip1');
    await h.trigger('VirtualIP', 'vip-e', 'vip1', { op: 'DELETE', uid });
    const waiting = await h.drain(virtualIpReconciler, { timeoutMs: 2500 });
    expect(waiting.remaining).toBe(1);
    expect((await getIp(uid))!.metadata.deletionTimestamp).toBeTruthy();
    expect((await getVip('vip-e', 'vip1'))!.metadata.finalizers).toContain(FINALIZER);
    await h.apinet.mergePatch(apinet.IP, APINET_NAMESPACE, uid, { metadata: { finalizers: null } });
    expect((await h.drain(virtualIpReconciler)).remaining).toBe(0);
    expect(await getIp(uid)).toBeUndefined();
    expect(await getVip('vip-e', 'vip1')).toBeUndefined();
  });

  it('R-GEN-06: apinet IPs of a gone VirtualIP are deleted; others of the namespace stay', async () => {
    const ipOf = (name: string, vipName: string, uid: string) => ({
      apiVersion: apiVersionOf(apinet.IP),
      kind: 'IP',
      metadata: { name, namespace: APINET_NAMESPACE, labels: { [`${ORIGIN}-uid`]: uid, [`${ORIGIN}-namespace`]: 'vip-f' }, annotations: { [`${ORIGIN}-name`]: vipName } },
      spec: { type: 'Public', ipFamily: 'IPv4' },
    });
    await h.namespace('vip-f');
    await h.apinet.apply(apinet.IP, ipOf('dangling-1', 'ghost', 'u-ghost'), { fieldManager: 'test' });
    await h.apinet.apply(apinet.IP, ipOf('other-1', 'alive', 'u-alive'), { fieldManager: 'test' });
    await h.reconcile(virtualIpReconciler, 'vip-f', 'ghost');
    expect(await h.apinet.get(apinet.IP, APINET_NAMESPACE, 'dangling-1')).toBeUndefined();
    expect(await h.apinet.get(apinet.IP, APINET_NAMESPACE, 'other-1')).toBeDefined();
  });

  it('R-GEN-04: an externally managed VirtualIP is left alone (no finalizer, no apinet IP)', async () => {
    const vip = await createVip('vip-g', 'vip1', { annotations: { 'common.ironcore.dev/managed-by': 'someone' } });
    await h.reconcile(virtualIpReconciler, 'vip-g', 'vip1');
    expect(await getIp(vip.metadata.uid!)).toBeUndefined();
    expect((await getVip('vip-g', 'vip1'))!.metadata.finalizers ?? []).not.toContain(FINALIZER);
  });

  it('API calls: first reconcile and a no-op reconcile; the no-op writes nothing but the apply', async () => {
    await createVip('vip-h', 'vip1');
    const first = await measure(() => h.reconcile(virtualIpReconciler, 'vip-h', 'vip1'));
    const noop = await measure(() => h.reconcile(virtualIpReconciler, 'vip-h', 'vip1'));
    console.info(`[calls] VirtualIP first=${JSON.stringify(first)} noop=${JSON.stringify(noop)}`);
    expect(first.ironcore.writes).toBeGreaterThan(0); // finalizer + status
    expect(noop.ironcore.writes).toBe(0);
    expect(noop.apinet.nonApplyWrites).toBe(0);
    expect(noop.apinet.applies).toBe(0); // issue 12: the apply is skipped, the object already carries it
    expect(noop.apinet.writes).toBe(0);
  });
});
