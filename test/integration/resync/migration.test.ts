/**
 * R-MIG-01 against the emulated apinet cluster: projections written by an older apinetlet (name as a
 * label) are migrated by the scheduled function, after which the origin mapping and the orphan sweep
 * see them like any other projection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { originKeyOf } from '../../../shared/api/origin.ts';
import { apinet } from '../../../shared/api/resources.ts';
import type { KubeObject } from '../../../shared/kube/types.ts';
import { runResync } from '../../../shared/resync/index.ts';
import { APINET_NAMESPACE, startHarness, type Harness } from '../harness.ts';
import { keyOf, takeAll } from './helpers.ts';

const API = 'core.apinet.ironcore.dev/v1alpha1';
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

const oldLayout = (kind: string, origin: string, name: string, source: string, extra: object = {}) => ({
  apiVersion: API,
  kind,
  metadata: {
    name,
    namespace: APINET_NAMESPACE,
    labels: {
      [`apinetlet.ironcore.dev/${origin}-uid`]: `uid-${source}`,
      [`apinetlet.ironcore.dev/${origin}-namespace`]: 'mig',
      [`apinetlet.ironcore.dev/${origin}-name`]: source,
      unrelated: 'kept',
    },
  },
  ...extra,
});

describe('R-MIG-01 origin metadata migration in the scheduled function', () => {
  it('R-MIG-01: moves the name label to the annotation on every migrated kind, and only there', async () => {
    await h.apinet.apply(apinet.Network, oldLayout('Network', 'network', 'mig-net', 'net-a', { spec: {} }), { fieldManager: 'old-apinetlet' });
    await h.apinet.apply(apinet.IP, oldLayout('IP', 'virtualip', 'mig-ip', 'vip-a', { spec: { type: 'Public', ipFamily: 'IPv4' } }), { fieldManager: 'old-apinetlet' });
    await h.apinet.apply(apinet.LoadBalancerRouting, oldLayout('LoadBalancerRouting', 'loadbalancer', 'mig-lbr', 'lb-a', { destinations: [] }), { fieldManager: 'old-apinetlet' });
    // Before: the origin is incomplete (no name annotation), so nothing would map to the source.
    expect(originKeyOf((await h.apinet.get(apinet.Network, APINET_NAMESPACE, 'mig-net'))!)).toBeUndefined();

    const summary = await runResync(
      { ironcore: h.ironcore, apinet: h.apinet, enqueuer: h.enqueuer },
      { apinetNamespace: APINET_NAMESPACE, natAutoscaling: false, phases: { full: false }, run: 'mig' },
    );
    expect(summary.migrated).toBe(2);
    expect(summary.errors).toEqual([]);

    const net = (await h.apinet.get<KubeObject>(apinet.Network, APINET_NAMESPACE, 'mig-net'))!;
    expect(net.metadata.labels).toEqual({ 'apinetlet.ironcore.dev/network-uid': 'uid-net-a', 'apinetlet.ironcore.dev/network-namespace': 'mig', unrelated: 'kept' });
    expect(net.metadata.annotations).toMatchObject({ 'apinetlet.ironcore.dev/network-name': 'net-a' });
    expect(originKeyOf(net)).toMatchObject({ kind: 'Network', namespace: 'mig', name: 'net-a' });
    const ip = (await h.apinet.get<KubeObject>(apinet.IP, APINET_NAMESPACE, 'mig-ip'))!;
    expect(ip.metadata.annotations).toMatchObject({ 'apinetlet.ironcore.dev/virtualip-name': 'vip-a' });
    // LoadBalancerRouting is not migrated (apinet-api.md 9.5).
    const lbr = (await h.apinet.get<KubeObject>(apinet.LoadBalancerRouting, APINET_NAMESPACE, 'mig-lbr'))!;
    expect(lbr.metadata.labels).toHaveProperty(['apinetlet.ironcore.dev/loadbalancer-name'], 'lb-a');

    // The migrated projections are now orphans of gone sources, found by the same run's sweep.
    const keys = (await takeAll(h.sqsClient, h.sqs.queues)).map(keyOf).sort();
    expect(keys).toEqual(['Network mig/net-a', 'VirtualIP mig/vip-a']);

    // A second run finds nothing left to migrate.
    const again = await runResync(
      { ironcore: h.ironcore, apinet: h.apinet, enqueuer: h.enqueuer },
      { apinetNamespace: APINET_NAMESPACE, natAutoscaling: false, phases: { full: false, orphans: false }, run: 'mig-2' },
    );
    expect(again.migrated).toBe(0);
  });
});
