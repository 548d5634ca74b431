import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { originAnnotations, originLabels } from '../../../shared/api/origin.ts';
import { apinet, type PrimaryKind } from '../../../shared/api/resources.ts';
import type { KubeClient } from '../../../shared/kube/index.ts';
import type { KubeObject } from '../../../shared/kube/types.ts';
import { NAT_IP_NAME_ALPHABET } from '../../../shared/reconcile/core/nat-autoscaling.ts';
import { NAT_AUTOSCALER_FIELD_MANAGER, runResync } from '../../../shared/resync/index.ts';
import { APINET_NAMESPACE, startHarness, type Harness } from '../harness.ts';
import { createIroncore, keyOf, takeAll } from './helpers.ts';

const API = 'core.apinet.ironcore.dev/v1alpha1';
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  // The resync's NAT autoscaling is the only writer of spec.ips here (see stopApinetControllers).
  await h.stopApinetControllers();
});
afterAll(() => h?.stop());
afterEach(async () => {
  await takeAll(h.sqsClient, h.sqs.queues);
});

/** Origin metadata of a (possibly imaginary) ironcore source. */
const origin = (kind: PrimaryKind, namespace: string, name: string, uid: string) => {
  const src = { metadata: { namespace, name, uid } };
  return { labels: originLabels(kind, src), annotations: originAnnotations(kind, src) };
};

const apply = (client: KubeClient, kind: keyof typeof apinet, name: string, meta: object, spec: object) =>
  client.apply(apinet[kind], { apiVersion: API, kind, metadata: { name, namespace: APINET_NAMESPACE, ...meta }, spec }, { fieldManager: 'ironcore.dev/apinetlet' });

describe('orphan sweep', () => {
  it('R-GEN-06: enqueues the origin key of every projection whose source is gone, and only those', async () => {
    await h.namespace('or');
    const live = await createIroncore(h.ironcore, 'Network', 'or', 'live');
    const recreated = await createIroncore(h.ironcore, 'VirtualIP', 'or', 'recreated');
    await apply(h.apinet, 'Network', 'p-live', origin('Network', 'or', 'live', live.metadata.uid ?? ''), {});
    await apply(h.apinet, 'Network', 'p-gone', origin('Network', 'or', 'gone-net', 'uid-gone-net'), {});
    await apply(h.apinet, 'IP', 'p-gone-vip', origin('VirtualIP', 'or', 'gone-vip', 'uid-gone-vip'), { type: 'Public', ipFamily: 'IPv4' });
    // Same name, older UID: the projection belongs to an object that no longer exists.
    await apply(h.apinet, 'IP', 'p-old-vip', origin('VirtualIP', 'or', 'recreated', 'uid-old'), { type: 'Public', ipFamily: 'IPv4' });
    await apply(h.apinet, 'IP', 'p-new-vip', origin('VirtualIP', 'or', 'recreated', recreated.metadata.uid ?? ''), { type: 'Public', ipFamily: 'IPv4' });
    // No origin at all: not ours, never a candidate.
    await apply(h.apinet, 'Network', 'foreign', {}, {});

    const summary = await runResync(
      { ironcore: h.ironcore, apinet: h.apinet, enqueuer: h.enqueuer },
      { apinetNamespace: APINET_NAMESPACE, natAutoscaling: false, phases: { full: false }, pageSize: 2, run: 'sweep' },
    );
    const messages = await takeAll(h.sqsClient, h.sqs.queues);
    expect(messages.map((m) => [keyOf(m), m.uid, m.op]).sort()).toEqual([
      ['Network or/gone-net', 'uid-gone-net', 'DELETE'],
      ['VirtualIP or/gone-vip', 'uid-gone-vip', 'DELETE'],
      ['VirtualIP or/recreated', 'uid-old', 'DELETE'],
    ]);
    expect(summary.orphans).toMatchObject({ Network: 1, VirtualIP: 2, LoadBalancer: 0 });
    expect(summary.errors).toEqual([]);
  });
});

describe('NAT gateway autoscaling', () => {
  const gwName = 'natgw-uid-1';
  const setup = async (requested: number) => {
    const meta = origin('NATGateway', 'nat', 'natgw', gwName);
    await apply(h.apinet, 'NATGateway', gwName, meta, { ipFamily: 'IPv4', networkRef: { name: 'net-uid' }, portsPerNetworkInterface: 2048 });
    await apply(h.apinet, 'NATGatewayAutoscaler', gwName, meta, { natGatewayRef: { name: gwName }, minPublicIPs: 1, maxPublicIPs: 3 });
    await h.apinet.mergePatch(apinet.NATGateway, APINET_NAMESPACE, gwName, { status: { requestedNATIPs: requested } }, { subresource: 'status' });
  };
  const ips = async () => ((await h.apinet.get(apinet.NATGateway, APINET_NAMESPACE, gwName)) as KubeObject & { spec: { ips?: { name: string; ip?: string }[] } }).spec.ips ?? [];
  const resync = (client: KubeClient = h.apinet) =>
    runResync({ ironcore: h.ironcore, apinet: client, enqueuer: h.enqueuer }, { apinetNamespace: APINET_NAMESPACE, phases: { full: false, orphans: false } });

  it('grows to ceil(requested / slotsPerIP), shrinks from the end, and clamps to [min, max]', async () => {
    // 2048 ports per NIC → 31 slots per IP; 32 NICs need 2 IPs (the Go controller would stop at 1).
    await setup(32);
    let s = await resync();
    const grown = await ips();
    expect(s.nat.scaled).toEqual([{ gateway: `${APINET_NAMESPACE}/${gwName}`, from: 0, to: 2 }]);
    expect(grown).toHaveLength(2);
    for (const e of grown) expect(e.name).toMatch(new RegExp(`^[${NAT_IP_NAME_ALPHABET}]{10}$`));
    expect(grown.every((e) => e.ip)).toBe(true); // the server allocated them

    await h.apinet.mergePatch(apinet.NATGateway, APINET_NAMESPACE, gwName, { status: { requestedNATIPs: 500 } }, { subresource: 'status' });
    s = await resync();
    const capped = await ips();
    expect(capped).toHaveLength(3); // ceil(500/31) = 17, capped at maxPublicIPs 3
    expect(capped.slice(0, 2)).toEqual(grown); // growing appends

    await h.apinet.mergePatch(apinet.NATGateway, APINET_NAMESPACE, gwName, { status: { requestedNATIPs: 0 } }, { subresource: 'status' });
    s = await resync();
    expect(await ips()).toEqual(grown.slice(0, 1)); // raised to minPublicIPs 1, the oldest entry kept
    expect(s.nat.scaled[0]).toMatchObject({ from: 3, to: 1 });

    s = await resync();
    expect(s.nat).toMatchObject({ scaled: [], unchanged: 1, conflicts: 0 });
    // Written under its own manager, so apinetlet's apply (which never sends spec.ips) cannot remove them.
    const gw = await h.apinet.get(apinet.NATGateway, APINET_NAMESPACE, gwName);
    const managers = ((gw?.metadata.managedFields as { manager?: string }[] | undefined) ?? []).map((m) => m.manager);
    expect(managers).toContain(NAT_AUTOSCALER_FIELD_MANAGER);
  });

  it('a stale write fails on the resourceVersion precondition and the next run retries it', async () => {
    await h.apinet.mergePatch(apinet.NATGateway, APINET_NAMESPACE, gwName, { status: { requestedNATIPs: 70 } }, { subresource: 'status' });
    // The same client, except that right after our LIST of the gateways someone else changes one.
    const racing: KubeClient = {
      ...h.apinet,
      listAll: async function* (res, opts) {
        yield* h.apinet.listAll(res, opts);
        if (res === apinet.NATGateway) await h.apinet.mergePatch(res, APINET_NAMESPACE, gwName, { metadata: { annotations: { touched: String(Date.now()) } } });
      },
    } as KubeClient;
    const before = await ips();
    const stale = await resync(racing);
    expect(stale.nat).toMatchObject({ scaled: [], conflicts: 1 });
    expect(await ips()).toEqual(before);

    const next = await resync();
    expect(next.nat.scaled).toEqual([{ gateway: `${APINET_NAMESPACE}/${gwName}`, from: 1, to: 3 }]); // ceil(70/31) = 3
    expect(await ips()).toHaveLength(3);
  });

  it('NAT_AUTOSCALING=false leaves gateways alone', async () => {
    await h.apinet.mergePatch(apinet.NATGateway, APINET_NAMESPACE, gwName, { status: { requestedNATIPs: 0 } }, { subresource: 'status' });
    const s = await runResync({ ironcore: h.ironcore, apinet: h.apinet, enqueuer: h.enqueuer }, { apinetNamespace: APINET_NAMESPACE, natAutoscaling: false, phases: { full: false, orphans: false } });
    expect(s.nat).toMatchObject({ enabled: false, autoscalers: 0 });
    expect(await ips()).toHaveLength(3);
  });
});
