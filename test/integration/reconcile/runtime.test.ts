/**
 * The shared reconcile runtime over real SQS batches: admission messages arrive before the change
 * is stored (ARCHITECTURE.md 2), so CREATE / UPDATE / DELETE that are not visible yet come back
 * instead of being taken as they are. VirtualIP is the simplest kind to watch it on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverOnce } from '../../../shared/queue/delivery.ts';
import { apinet, apiVersionOf, ironcore } from '../../../shared/api/resources.ts';
import type { KubeObject } from '../../../shared/kube/types.ts';
import { virtualIpReconciler } from '../../../shared/reconcile/virtualip.ts';
import { APINET_NAMESPACE, startHarness, type Harness } from '../harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

const vipBody = (ns: string, name: string): KubeObject => ({
  apiVersion: apiVersionOf(ironcore.VirtualIP),
  kind: 'VirtualIP',
  metadata: { name, namespace: ns },
  spec: { type: 'Public', ipFamily: 'IPv4' },
});
const deliver = () => deliverOnce({ sqs: h.sqsApi, queueUrl: h.sqs.queues.VirtualIP, handler: h.handlerFor(virtualIpReconciler) });
const admission = (ns: string, name: string, op: 'CREATE' | 'UPDATE' | 'DELETE', extra: Record<string, string> = {}) =>
  h.enqueuer.enqueue([{ v: 1, kind: 'VirtualIP', namespace: ns, name, source: 'admission', op, ...extra }]);

describe('reconcile runtime: admission before persist', () => {
  it('a CREATE whose object is not stored yet is retried, then reconciles the object once it exists', async () => {
    await h.namespace('rt-a');
    await admission('rt-a', 'vip1', 'CREATE', { uid: 'pending-uid' });
    const first = await deliver();
    expect(first).toMatchObject({ received: 1, failed: 1 }); // kept, not dropped as "gone"
    const vip = await h.ironcore.apply(ironcore.VirtualIP, vipBody('rt-a', 'vip1'), { fieldManager: 'test' });
    await h.drain(virtualIpReconciler);
    const ip = await h.apinet.get(apinet.IP, APINET_NAMESPACE, vip.metadata.uid!);
    expect(ip).toBeDefined();
    expect((await h.ironcore.get<KubeObject & { status?: { ip?: string } }>(ironcore.VirtualIP, 'rt-a', 'vip1'))?.status?.ip).toBe((ip as any).spec.ip);
  });

  it('a CREATE that never gets stored ends after the bounded retries with nothing applied', async () => {
    await h.namespace('rt-b');
    await admission('rt-b', 'never', 'CREATE');
    const r = await h.drain(virtualIpReconciler, { timeoutMs: 20_000 });
    expect(r.remaining).toBe(0);
    expect(r.deliveries).toBeGreaterThanOrEqual(4); // 3 visibility retries, then taken as gone
    const ips = await h.apinet.list(apinet.IP, { namespace: APINET_NAMESPACE, labelSelector: 'apinetlet.ironcore.dev/virtualip-namespace=rt-b' });
    expect(ips.items).toHaveLength(0);
  });

  it('a DELETE seen before its deletionTimestamp is stored comes back and finishes the deletion', async () => {
    await h.namespace('rt-c');
    const vip = await h.ironcore.apply(ironcore.VirtualIP, vipBody('rt-c', 'vip1'), { fieldManager: 'test' });
    await h.reconcile(virtualIpReconciler, 'rt-c', 'vip1');
    expect(await h.apinet.get(apinet.IP, APINET_NAMESPACE, vip.metadata.uid!)).toBeDefined();
    await admission('rt-c', 'vip1', 'DELETE', { uid: vip.metadata.uid! });
    expect(await deliver()).toMatchObject({ received: 1, failed: 1 }); // not marked deleted yet: retried
    await h.ironcore.delete(ironcore.VirtualIP, 'rt-c', 'vip1'); // now the API server stores the deletion
    await h.drain(virtualIpReconciler);
    expect(await h.ironcore.get(ironcore.VirtualIP, 'rt-c', 'vip1')).toBeUndefined(); // finalizer removed
    expect(await h.apinet.get(apinet.IP, APINET_NAMESPACE, vip.metadata.uid!)).toBeUndefined();
  });

  it('an UPDATE still at the old resourceVersion is reconciled and looked at again', async () => {
    await h.namespace('rt-d');
    await h.ironcore.apply(ironcore.VirtualIP, vipBody('rt-d', 'vip1'), { fieldManager: 'test' });
    await h.reconcile(virtualIpReconciler, 'rt-d', 'vip1');
    const stored = await h.ironcore.get(ironcore.VirtualIP, 'rt-d', 'vip1');
    await admission('rt-d', 'vip1', 'UPDATE', { uid: stored!.metadata.uid!, resourceVersion: stored!.metadata.resourceVersion! });
    expect(await deliver()).toMatchObject({ received: 1, failed: 1 });
    await h.ironcore.mergePatch(ironcore.VirtualIP, 'rt-d', 'vip1', { metadata: { labels: { changed: 'yes' } } });
    const r = await h.drain(virtualIpReconciler);
    expect(r.remaining).toBe(0);
  });
});
