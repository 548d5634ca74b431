/**
 * The whole system end to end: objects created through the emulated ironcore API server reach the
 * functions only the way they would in a real installation — admission and watch webhooks
 * registered in the clusters, SQS FIFO queues, the reconcile handlers fed by long polling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observe, waitConverged } from '../../infra/local/stack/converge.ts';
import { createIroncore, ensureNamespace, sampleNic, sampleObjects, seedSet, setApinetNicState, simulateMachinePoolNic } from '../../infra/local/stack/demo.ts';
import { finalizerOf } from '../../shared/api/origin.ts';
import { apinet, ironcore, type PrimaryKind } from '../../shared/api/resources.ts';
import { startE2E, until, type E2E } from './helpers.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
}, 60_000);
afterAll(async () => {
  await e2e?.stop();
});

const NS = 'e2e';

describe('local stack end to end', () => {
  it('R-GEN-01, R-NET-01, R-VIP-02, R-LB-01, R-NIC-02: every kind converges through the webhooks and queues', async () => {
    const { c } = e2e;
    await ensureNamespace(c, NS);
    const keys = await seedSet(c, NS, 'one', '10.0.0.5');
    expect(keys.map((k) => k.kind).sort()).toEqual(['LoadBalancer', 'NATGateway', 'Network', 'NetworkInterface', 'NetworkPolicy', 'VirtualIP']);
    const seen = await waitConverged(c, keys, { timeoutMs: 30_000 });
    expect(seen.filter((s) => !s.converged)).toEqual([]);

    const net = (await c.ironcore.get(ironcore.Network, NS, 'one-net'))!;
    const anet = (await c.apinet.get(apinet.Network, c.apinetNamespace, net.metadata.uid!))!;
    // R-NET-01: ironcore-net://<ns>/<name>/<vni>/<uid> of the apinet Network.
    expect((net.spec as { providerID: string }).providerID).toBe(
      `ironcore-net://${c.apinetNamespace}/${anet.metadata.name}/${(anet.spec as { id: string }).id}/${anet.metadata.uid}`,
    );
    const vip = (await c.ironcore.get(ironcore.VirtualIP, NS, 'one-vip'))!;
    const ip = (await c.apinet.get(apinet.IP, c.apinetNamespace, vip.metadata.uid!))!;
    expect((vip.status as { ip: string }).ip).toBe((ip.spec as { ip: string }).ip);
    const lb = (await c.ironcore.get(ironcore.LoadBalancer, NS, 'one-lb'))!;
    const alb = (await c.apinet.get(apinet.LoadBalancer, c.apinetNamespace, lb.metadata.uid!))!;
    expect((lb.status as { ips: string[] }).ips).toEqual((alb.spec as { ips: { ip: string }[] }).ips.map((x) => x.ip));
    const natgw = (await c.ironcore.get(ironcore.NATGateway, NS, 'one-natgw'))!;
    expect(await c.apinet.get(apinet.NATGatewayAutoscaler, c.apinetNamespace, natgw.metadata.uid!)).toBeDefined();
    const np = (await c.ironcore.get(ironcore.NetworkPolicy, NS, 'one-np'))!;
    expect(await c.apinet.get(apinet.NetworkPolicy, c.apinetNamespace, np.metadata.uid!)).toBeDefined();
    for (const k of keys) {
      const obj = (await c.ironcore.get(ironcore[k.kind], k.namespace, k.name))!;
      expect(obj.metadata.finalizers, `${k.kind} ${k.name}`).toContain(finalizerOf(k.kind));
    }
  }, 60_000);

  it('R-GEN-06, R-NET-11, R-LB-08, R-NATGW-04, R-NP-03, R-VIP-03, R-NIC-09: deleting every kind removes finalizers and apinet objects', async () => {
    const { c } = e2e;
    await ensureNamespace(c, NS);
    const keys = await seedSet(c, NS, 'del', '10.0.0.6');
    expect((await waitConverged(c, keys, { timeoutMs: 30_000 })).every((s) => s.converged)).toBe(true);
    const uids = new Map<PrimaryKind, string>();
    for (const k of keys) uids.set(k.kind, (await c.ironcore.get(ironcore[k.kind], NS, k.name))!.metadata.uid!);
    const apinetNicName = `del-${NS}-nic`;
    for (const k of [...keys].reverse()) await c.ironcore.delete(ironcore[k.kind], NS, k.name);

    for (const k of keys) await until(`${k.kind} ${NS}/${k.name} gone`, async () => !(await c.ironcore.get(ironcore[k.kind], NS, k.name)));
    const projections: [string, Promise<unknown>][] = [
      ['apinet Network', c.apinet.get(apinet.Network, c.apinetNamespace, uids.get('Network')!)],
      ['apinet IP', c.apinet.get(apinet.IP, c.apinetNamespace, uids.get('VirtualIP')!)],
      ['apinet LoadBalancer', c.apinet.get(apinet.LoadBalancer, c.apinetNamespace, uids.get('LoadBalancer')!)],
      ['apinet NATGateway', c.apinet.get(apinet.NATGateway, c.apinetNamespace, uids.get('NATGateway')!)],
      ['apinet NetworkPolicy', c.apinet.get(apinet.NetworkPolicy, c.apinetNamespace, uids.get('NetworkPolicy')!)],
    ];
    for (const [what, p] of projections) expect(await p, what).toBeUndefined();
    // R-NIC-09: the apinet NIC belongs to the machine pool; it stays but is released.
    const released = (await c.apinet.get(apinet.NetworkInterface, c.apinetNamespace, apinetNicName))!;
    expect(Object.keys(released.metadata.labels ?? {}).filter((l) => l.startsWith('apinetlet.ironcore.dev/'))).toEqual([]);
  }, 60_000);

  it('SIM-07, R-NIC-01, R-NIC-02: apinet NIC Ready reaches the ironcore NIC through the watch webhook', async () => {
    const { c } = e2e;
    await ensureNamespace(c, NS);
    const net = await createIroncore(c, sampleObjects(NS, 'rdy')[0]!);
    const anic = await simulateMachinePoolNic(c, `rdy-${NS}-nic`, net.metadata.uid!, '10.0.0.7', false);
    await createIroncore(c, sampleNic(NS, 'rdy', anic, c.apinetNamespace, '10.0.0.7'));
    // Claimed (origin labels on the apinet NIC) but not ready yet: Pending.
    await until('apinet NIC claimed', async () => {
      const a = await c.apinet.get(apinet.NetworkInterface, c.apinetNamespace, anic.metadata.name!);
      return Object.keys(a?.metadata.labels ?? {}).some((l) => l.startsWith('apinetlet.ironcore.dev/'));
    });
    expect((await observe(c, 'NetworkInterface', NS, 'rdy-nic')).state).toBe('Pending');
    await setApinetNicState(c, anic.metadata.name!, 'Ready');
    const p = await until('ironcore NIC Available', async () => {
      const o = await observe(c, 'NetworkInterface', NS, 'rdy-nic');
      return o.state === 'Available' ? o : undefined;
    });
    expect(p.converged).toBe(true);
  }, 60_000);

  it('R-GEN-05: an apinet object deleted by someone else is re-created', async () => {
    const { c } = e2e;
    await ensureNamespace(c, NS);
    const net = await createIroncore(c, sampleObjects(NS, 'rec')[0]!);
    await until('Network converged', async () => (await observe(c, 'Network', NS, 'rec-net')).converged);
    const before = (await c.apinet.get(apinet.Network, c.apinetNamespace, net.metadata.uid!))!;
    await c.apinet.delete(apinet.Network, c.apinetNamespace, net.metadata.uid!);
    const after = await until('apinet Network re-created', async () => {
      const a = await c.apinet.get(apinet.Network, c.apinetNamespace, net.metadata.uid!);
      return a && a.metadata.uid !== before.metadata.uid ? a : undefined;
    });
    expect(after.metadata.labels).toEqual(before.metadata.labels);
  }, 60_000);

  it('an object created while the reconcile consumers are stopped converges once they are back', async () => {
    const { c, stack } = e2e;
    await ensureNamespace(c, NS);
    await stack.pauseReconcilers();
    try {
      await createIroncore(c, sampleObjects(NS, 'paused')[1]!); // a VirtualIP
      await new Promise((r) => setTimeout(r, 1500));
      const whilePaused = await observe(c, 'VirtualIP', NS, 'paused-vip');
      expect(whilePaused.converged).toBe(false);
    } finally {
      stack.resumeReconcilers();
    }
    await until('VirtualIP converged after resume', async () => (await observe(c, 'VirtualIP', NS, 'paused-vip')).converged);
  }, 60_000);

  it('the scheduled resync enqueues every key (R-GEN-06: a key missed by the webhooks is repaired)', async () => {
    const { c, stack } = e2e;
    await ensureNamespace(c, NS);
    // Removing the registrations makes the clusters call nobody: only the resync can find this key.
    await stack.pauseReconcilers();
    const summary = await stack.resyncNow();
    stack.resumeReconcilers();
    expect(summary.errors).toEqual([]);
    expect(summary.listed.Network).toBeGreaterThan(0);
    expect(summary.enqueued.Network).toBe(summary.listed.Network - summary.excluded.Network);
  }, 60_000);
});
