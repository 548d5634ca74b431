/**
 * Network reconcile (behavior.md 3.2) over real HTTP: emulated ironcore + apinet clusters, real
 * SQS batches through the Lambda handler. The tests play SIM-01/02/03/09.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APINET_NAMESPACE, measureApiCalls, startHarness, type Harness } from '../harness.ts';
import { apinet, apiVersionOf, ironcore } from '../../../shared/api/resources.ts';
import type { KubeObject } from '../../../shared/kube/types.ts';
import { networkReconciler } from '../../../shared/reconcile/network.ts';

const FINALIZER = 'apinet.ironcore.dev/network';
const ORIGIN = 'apinetlet.ironcore.dev/network';
type Obj = KubeObject & { spec?: any; status?: any };

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(async () => {
  await h?.stop();
});


async function createNetwork(ns: string, name: string, spec: Record<string, unknown> = {}): Promise<Obj> {
  await h.namespace(ns);
  return h.ironcore.apply(ironcore.Network, { apiVersion: apiVersionOf(ironcore.Network), kind: 'Network', metadata: { name, namespace: ns }, spec }, { fieldManager: 'test' });
}
const getNetwork = (ns: string, name: string) => h.ironcore.get<Obj>(ironcore.Network, ns, name);
const getApinetNetwork = (uid: string) => h.apinet.get<Obj>(apinet.Network, APINET_NAMESPACE, uid);
const reconcile = (ns: string, name: string) => h.reconcile(networkReconciler, ns, name);

/** SIM-02: metalnetlet reports peering states on the apinet Network's status. */
const writePeeringStatus = (uid: string, peerings: Record<string, Array<{ id: number; state: string }>>) =>
  h.apinet.mergePatch(apinet.Network, APINET_NAMESPACE, uid, { status: { peerings } }, { subresource: 'status' });

/** SIM-03: the ipam controller allocates a Prefix (phase written by a main-resource merge patch, SRV-08). */
async function createPrefix(ns: string, name: string, prefix: string, phase: 'Pending' | 'Allocated'): Promise<void> {
  await h.ironcore.apply(ironcore.Prefix, { apiVersion: apiVersionOf(ironcore.Prefix), kind: 'Prefix', metadata: { name, namespace: ns }, spec: { ipFamily: 'IPv4', prefix } }, { fieldManager: 'test' });
  await h.ironcore.mergePatch(ironcore.Prefix, ns, name, { status: { phase } });
}

const measure = (run: () => Promise<void>) => measureApiCalls(h, run);

describe('Network reconcile', () => {
  it('R-NET-01/R-GEN-01/R-GEN-07: apinet Network named by uid with origin keys; providerID from its VNI; Available', async () => {
    const net = await createNetwork('net-a', 'n1');
    await reconcile('net-a', 'n1');
    const uid = net.metadata.uid!;
    const an = await getApinetNetwork(uid);
    expect(an).toBeDefined();
    expect(an!.metadata.labels).toMatchObject({ [`${ORIGIN}-uid`]: uid, [`${ORIGIN}-namespace`]: 'net-a' });
    expect(an!.metadata.annotations).toMatchObject({ [`${ORIGIN}-name`]: 'n1' });
    expect(an!.spec.id).toMatch(/^\d+$/);
    expect((an!.metadata.managedFields as Array<{ manager: string }>).map((m) => m.manager)).toContain('ironcore.dev/apinetlet');
    const stored = await getNetwork('net-a', 'n1');
    expect(stored!.metadata.finalizers).toContain(FINALIZER);
    expect(stored!.spec.providerID).toBe(`ironcore-net://${APINET_NAMESPACE}/${uid}/${an!.spec.id}/${an!.metadata.uid}`);
    expect(stored!.status.state).toBe('Available');
  });

  it('R-NET-01: a providerID already set (even a different one) is never rewritten', async () => {
    await createNetwork('net-b', 'n1', { providerID: 'ironcore-net://elsewhere/x/7/y' });
    await reconcile('net-b', 'n1');
    await reconcile('net-b', 'n1');
    const stored = await getNetwork('net-b', 'n1');
    expect(stored!.spec.providerID).toBe('ironcore-net://elsewhere/x/7/y');
    expect(stored!.status.state).toBe('Available');
  });

  it('R-NET-03/04/05/07/09 with SIM-01/02/03: peerings, prefixes by literal and by Allocated ref, missing peer skipped, status from apinet', async () => {
    const ns = 'net-c';
    const b = await createNetwork(ns, 'b');
    await reconcile(ns, 'b');
    const bVni = (await getApinetNetwork(b.metadata.uid!))!.spec.id as string;
    await createPrefix(ns, 'pfx', '10.2.0.0/16', 'Pending');
    const a = await createNetwork(ns, 'a', {
      peerings: [
        { name: 'to-ghost', networkRef: { name: 'ghost' } },
        // R-NET-05: no namespace → the Network's own.
        { name: 'to-b', networkRef: { name: 'b' }, prefixes: [{ name: 'lit', prefix: '10.1.0.0/16' }, { name: 'ref', prefixRef: { name: 'pfx' } }, { name: 'gone', prefixRef: { name: 'nope' } }] },
      ],
    });
    // SIM-01: the ironcore networking controller records the incoming peering claims; the ghost
    // peer (R-NET-07) has no apinet Network and comes FIRST: it must not stop the loop.
    await h.ironcore.mergePatch(ironcore.Network, ns, 'a', { spec: { incomingPeerings: [{ name: 'ghost', namespace: ns, uid: 'no-such-uid' }, { name: 'b', namespace: ns, uid: b.metadata.uid }] } });
    await reconcile(ns, 'a');
    const aUid = a.metadata.uid!;
    // R-NET-03: a Pending prefix is dropped, as is a missing one.
    expect((await getApinetNetwork(aUid))!.spec.peerings).toEqual([{ name: 'to-b', id: bVni, prefixes: [{ name: 'lit', prefix: '10.1.0.0/16' }] }]);

    // R-NET-04: the Prefix becomes Allocated; the next reconcile picks it up.
    await h.ironcore.mergePatch(ironcore.Prefix, ns, 'pfx', { status: { phase: 'Allocated' } });
    await reconcile(ns, 'a');
    const prefixes = [{ name: 'lit', prefix: '10.1.0.0/16' }, { name: 'ref', prefix: '10.2.0.0/16' }];
    expect((await getApinetNetwork(aUid))!.spec.peerings).toEqual([{ name: 'to-b', id: bVni, prefixes }]);
    expect((await getNetwork(ns, 'a'))!.status.peerings ?? []).toEqual([]);

    // SIM-02 + R-NET-09: partitions in sorted order; unknown ids ignored; prefixes only when Ready.
    await writePeeringStatus(aUid, { zone2: [{ id: Number(bVni), state: 'Ready' }], zone1: [{ id: Number(bVni), state: 'Pending' }, { id: 1, state: 'Ready' }] });
    await reconcile(ns, 'a');
    expect((await getNetwork(ns, 'a'))!.status).toEqual({ state: 'Available', peerings: [{ name: 'to-b', state: 'Pending' }, { name: 'to-b', state: 'Ready', prefixes }] });
    // The apinet status (SRV-07) survives our re-apply.
    expect((await getApinetNetwork(aUid))!.status.peerings.zone2).toEqual([{ id: Number(bVni), state: 'Ready' }]);

    // R-NET-08: incoming peerings emptied → no apinet peerings, ironcore status peerings empty.
    await h.ironcore.mergePatch(ironcore.Network, ns, 'a', { spec: { incomingPeerings: null } });
    await reconcile(ns, 'a');
    expect((await getApinetNetwork(aUid))!.spec.peerings ?? []).toEqual([]);
    expect((await getNetwork(ns, 'a'))!.status.peerings ?? []).toEqual([]);
  });

  it('R-NET-06: an incoming peering without a matching spec peering contributes nothing', async () => {
    const ns = 'net-d';
    const b = await createNetwork(ns, 'b');
    await reconcile(ns, 'b');
    const a = await createNetwork(ns, 'a', { peerings: [{ name: 'to-other', networkRef: { name: 'other' } }] });
    await h.ironcore.mergePatch(ironcore.Network, ns, 'a', { spec: { incomingPeerings: [{ name: 'b', namespace: ns, uid: b.metadata.uid }] } });
    await reconcile(ns, 'a');
    expect((await getApinetNetwork(a.metadata.uid!))!.spec.peerings ?? []).toEqual([]);
  });

  it('R-NET-10: with peering disabled, apinet peering status never reaches the ironcore status', async () => {
    const ns = 'net-e';
    const b = await createNetwork(ns, 'b');
    await reconcile(ns, 'b');
    const bVni = (await getApinetNetwork(b.metadata.uid!))!.spec.id as string;
    const a = await createNetwork(ns, 'a', { peerings: [{ name: 'to-b', networkRef: { name: 'b' } }] });
    await h.ironcore.mergePatch(ironcore.Network, ns, 'a', { spec: { incomingPeerings: [{ name: 'b', namespace: ns, uid: b.metadata.uid }] } });
    h.env.settings.peeringDisabled = true;
    try {
      await reconcile(ns, 'a');
      await writePeeringStatus(a.metadata.uid!, { p1: [{ id: Number(bVni), state: 'Ready' }] });
      const second = await measure(() => reconcile(ns, 'a'));
      expect(second.ironcore.byVerb['patch networks/status'] ?? 0).toBe(0);
      const stored = await getNetwork(ns, 'a');
      expect(stored!.status.state).toBe('Available');
      expect(stored!.status.peerings ?? []).toEqual([]);
    } finally {
      h.env.settings.peeringDisabled = false;
    }
    // Control: with peering enabled the same apinet status does show up.
    await reconcile(ns, 'a');
    expect((await getNetwork(ns, 'a'))!.status.peerings).toEqual([{ name: 'to-b', state: 'Ready' }]);
  });

  it('R-NET-02: while the apply fails the Network is Pending; it becomes Available once the apply passes', async () => {
    const net = await createNetwork('net-f', 'n1');
    const stop = h.apinetEmulator.faults.inject({ verb: 'patch', resource: 'networks', status: 500 });
    try {
      await h.trigger('Network', 'net-f', 'n1');
      expect((await h.drain(networkReconciler, { timeoutMs: 2500 })).remaining).toBe(1);
      const stored = await getNetwork('net-f', 'n1');
      expect(stored!.status.state).toBe('Pending');
      expect(stored!.spec.providerID ?? '').toBe('');
    } finally {
      stop();
    }
    expect((await h.drain(networkReconciler)).remaining).toBe(0);
    expect((await getNetwork('net-f', 'n1'))!.status.state).toBe('Available');
    expect(await getApinetNetwork(net.metadata.uid!)).toBeDefined();
  });

  it('crash between the apply and the ironcore writes: the next reconcile finishes; one apinet Network, providerID matches it', async () => {
    const net = await createNetwork('net-g', 'n1');
    h.ironcoreEmulator.faults.inject({ verb: 'patch', resource: 'networks/status', status: 500, count: 1 });
    h.apinetEmulator.faults.inject({ verb: 'patch', resource: 'networks', status: 409, count: 1 });
    await reconcile('net-g', 'n1');
    const an = await getApinetNetwork(net.metadata.uid!);
    const stored = await getNetwork('net-g', 'n1');
    expect(stored!.status.state).toBe('Available');
    expect(stored!.spec.providerID).toBe(`ironcore-net://${APINET_NAMESPACE}/${net.metadata.uid}/${an!.spec.id}/${an!.metadata.uid}`);
    const all = await h.apinet.list(apinet.Network, { namespace: APINET_NAMESPACE, labelSelector: `${ORIGIN}-uid=${net.metadata.uid}` });
    expect(all.items).toHaveLength(1);
  });

  it('R-NET-11: the finalizer stays until the apinet Network is gone', async () => {
    const net = await createNetwork('net-h', 'n1');
    await reconcile('net-h', 'n1');
    const uid = net.metadata.uid!;
    await h.apinet.mergePatch(apinet.Network, APINET_NAMESPACE, uid, { metadata: { finalizers: ['test.example/hold'] } });
    await h.ironcore.delete(ironcore.Network, 'net-h', 'n1');
    await h.trigger('Network', 'net-h', 'n1', { op: 'DELETE', uid });
    expect((await h.drain(networkReconciler, { timeoutMs: 2500 })).remaining).toBe(1);
    expect((await getApinetNetwork(uid))!.metadata.deletionTimestamp).toBeTruthy();
    const deleting = await getNetwork('net-h', 'n1');
    expect(deleting!.metadata.deletionTimestamp).toBeTruthy();
    expect(deleting!.metadata.finalizers).toContain(FINALIZER);
    await h.apinet.mergePatch(apinet.Network, APINET_NAMESPACE, uid, { metadata: { finalizers: null } });
    expect((await h.drain(networkReconciler)).remaining).toBe(0);
    expect(await getApinetNetwork(uid)).toBeUndefined();
    expect(await getNetwork('net-h', 'n1')).toBeUndefined();
  });

  it('SIM-09/NET-02: a dangling apinet Network of a gone key is deleted; the live Network of a reused name keeps its own', async () => {
    const ns = 'net-i';
    const dangling = (name: string, sourceName: string, sourceUid: string) => ({
      apiVersion: apiVersionOf(apinet.Network),
      kind: 'Network',
      metadata: { name, namespace: APINET_NAMESPACE, labels: { [`${ORIGIN}-uid`]: sourceUid, [`${ORIGIN}-namespace`]: ns }, annotations: { [`${ORIGIN}-name`]: sourceName } },
      spec: {},
    });
    await h.namespace(ns);
    await h.apinet.apply(apinet.Network, dangling('dangling-ghost', 'ghost', 'uid-ghost'), { fieldManager: 'test' });
    await reconcile(ns, 'ghost');
    expect(await getApinetNetwork('dangling-ghost')).toBeUndefined();

    // Name reused: the old Network's projection goes, the live one's stays (its providerID points at it).
    const live = await createNetwork(ns, 'reused');
    await reconcile(ns, 'reused');
    await h.apinet.apply(apinet.Network, dangling('dangling-old', 'reused', 'uid-old'), { fieldManager: 'test' });
    await h.reconcile(networkReconciler, ns, 'reused', { op: 'DELETE', uid: 'uid-old' });
    expect(await getApinetNetwork('dangling-old')).toBeUndefined();
    const kept = await getApinetNetwork(live.metadata.uid!);
    expect(kept).toBeDefined();
    expect((await getNetwork(ns, 'reused'))!.spec.providerID).toContain(kept!.metadata.uid!);
  });

  it('R-GEN-03: with a watch filter, a Network without the label is ignored', async () => {
    const net = await createNetwork('net-j', 'n1');
    h.env.settings.watchFilter = 'mine';
    try {
      await reconcile('net-j', 'n1');
    } finally {
      h.env.settings.watchFilter = undefined;
    }
    expect(await getApinetNetwork(net.metadata.uid!)).toBeUndefined();
    expect((await getNetwork('net-j', 'n1'))!.metadata.finalizers ?? []).not.toContain(FINALIZER);
  });

  it('API calls: first reconcile and a no-op reconcile; the no-op writes nothing but the apply', async () => {
    await createNetwork('net-k', 'n1');
    const first = await measure(() => reconcile('net-k', 'n1'));
    const noop = await measure(() => reconcile('net-k', 'n1'));
    console.info(`[calls] Network first=${JSON.stringify(first)} noop=${JSON.stringify(noop)}`);
    // finalizer, providerID, status, plus the ProjectionCreated and ProviderIDSet Events
    expect(first.ironcore.byVerb['create events']).toBe(2);
    expect(first.ironcore.writes).toBe(3 + 2);
    expect(noop.ironcore.writes).toBe(0);
    expect(noop.apinet.nonApplyWrites).toBe(0);
    expect(noop.apinet.applies).toBe(0); // issue 12: the apply is skipped, the object already carries it
    expect(noop.apinet.writes).toBe(0);
  });
});
