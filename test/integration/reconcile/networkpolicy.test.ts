/**
 * NetworkPolicy reconcile over real HTTP (two emulated clusters) and real SQS batches
 * (behavior.md 2.6, 3.6). The tests play SIM-06/07: apinet NetworkInterfaces are created directly
 * in the apinet emulator and made Ready through their status subresource.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apinet, ironcore } from '../../../shared/api/resources.ts';
import type { KubeObject } from '../../../shared/kube/types.ts';
import { networkPolicyReconciler } from '../../../shared/reconcile/networkpolicy.ts';
import { APINET_NAMESPACE, measureApiCalls, startHarness, testReconcileContext, type Harness } from '../harness.ts';

const ANS = APINET_NAMESPACE;
const measure = (run: () => Promise<void>) => measureApiCalls(h, run);
const NP_FINALIZER = 'apinet.ironcore.dev/networkpolicy';
const RULE_MANAGER = 'networkpolicies.networking.ironcore.dev';
const V = 'networking.ironcore.dev/v1alpha1';
const AV = 'core.apinet.ironcore.dev/v1alpha1';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(async () => h?.stop());

/** ironcore Network `ns/net` and, unless told otherwise, its apinet Network `ANS/<uid>` (as the Network reconcile would). */
async function networks(ns: string, withApinet = true): Promise<{ net: KubeObject; anet?: KubeObject }> {
  await h.namespace(ns);
  const net = await h.ironcore.apply(ironcore.Network, { apiVersion: V, kind: 'Network', metadata: { name: 'net', namespace: ns }, spec: {} }, { fieldManager: 'test' });
  const anet = withApinet ? await apinetNetwork(net) : undefined;
  return { net, anet };
}

const apinetNetwork = (net: KubeObject) =>
  h.apinet.apply(apinet.Network, { apiVersion: AV, kind: 'Network', metadata: { name: net.metadata.uid!, namespace: ANS }, spec: {} }, { fieldManager: 'test' });

/** SIM-06 (+ SIM-07 when `ready`): an apinet NIC in ANS on the given apinet network. */
async function nic(name: string, network: string, ip: string, labels: Record<string, string>, ready: boolean): Promise<KubeObject> {
  const obj = await h.apinet.apply(
    apinet.NetworkInterface,
    { apiVersion: AV, kind: 'NetworkInterface', metadata: { name, namespace: ANS, labels }, spec: { nodeRef: { name: 'node-1' }, networkRef: { name: network }, ips: [ip] } },
    { fieldManager: 'test' },
  );
  if (ready) await setState(name, 'Ready');
  return obj;
}

const setState = (name: string, state: string) => h.apinet.mergePatch(apinet.NetworkInterface, ANS, name, { status: { state } }, { subresource: 'status' });

async function policy(ns: string, name: string, spec: Record<string, unknown>): Promise<KubeObject> {
  return h.ironcore.apply(ironcore.NetworkPolicy, { apiVersion: V, kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec: { networkRef: { name: 'net' }, ...spec } }, { fieldManager: 'test' });
}

const getPolicy = (np: KubeObject) => h.apinet.get(apinet.NetworkPolicy, ANS, np.metadata.uid!);
const getRule = (np: KubeObject) => h.apinet.get(apinet.NetworkPolicyRule, ANS, np.metadata.uid!);
const getNp = (np: KubeObject) => h.ironcore.get(ironcore.NetworkPolicy, np.metadata.namespace!, np.metadata.name!);
const originOf = (np: KubeObject) => ({
  labels: { 'apinetlet.ironcore.dev/networkpolicy-uid': np.metadata.uid!, 'apinetlet.ironcore.dev/networkpolicy-namespace': np.metadata.namespace! },
  annotations: { 'apinetlet.ironcore.dev/networkpolicy-name': np.metadata.name! },
});

describe('NetworkPolicy reconcile', () => {
  it('R-NP-01, R-NP-02, R-NP-05, R-NP-07, R-NP-08, R-NP-10: policy and rule projected; targets from Ready NICs of the network', async () => {
    const ns = 'np-full';
    const { net, anet } = await networks(ns);
    const netUid = net.metadata.uid!;
    await nic('full-web-1', netUid, '10.9.0.1', { app: 'web' }, true);
    await nic('full-web-2', netUid, '10.9.0.2', { app: 'web' }, false); // not Ready → no target
    await nic('full-web-other', 'another-network', '10.9.0.3', { app: 'web' }, true); // other network → no target
    await nic('full-db-1', netUid, 'fd00::7', { role: 'db' }, true); // object IP via matchExpressions
    await h.apinet.apply(
      apinet.LoadBalancer,
      {
        apiVersion: AV,
        kind: 'LoadBalancer',
        metadata: { name: 'full-lb', namespace: ANS, labels: { tier: 'front' } },
        spec: { type: 'Internal', networkRef: { name: 'any' }, ips: [{ name: 'ip-0', ipFamily: 'IPv4', ip: '10.5.0.1' }], selector: { matchLabels: { tier: 'front' } }, template: { metadata: { labels: { tier: 'front' } }, spec: {} } },
      },
      { fieldManager: 'test' },
    );
    const np = await policy(ns, 'full', {
      networkInterfaceSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [{ objectSelector: { kind: 'NetworkInterface', matchExpressions: [{ key: 'role', operator: 'In', values: ['db'] }] } }, { ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } }],
          ports: [{ protocol: 'TCP', port: 80 }, { port: 8000, endPort: 8080 }],
        },
      ],
      egress: [{ to: [{ objectSelector: { kind: 'LoadBalancer', matchLabels: { tier: 'front' } } }] }],
    });
    await h.reconcile(networkPolicyReconciler, ns, 'full');

    const p = (await getPolicy(np))!;
    expect(p.metadata.labels).toMatchObject(originOf(np).labels);
    expect(p.metadata.annotations).toMatchObject(originOf(np).annotations);
    // policyTypes is a set list in the emulated schemas: compare the stored order as given.
    const storedTypes = ((await getNp(np))!['spec'] as { policyTypes: string[] }).policyTypes;
    expect([...storedTypes].sort()).toEqual(['Egress', 'Ingress']);
    expect(p['spec']).toEqual({
      networkRef: { name: netUid },
      networkInterfaceSelector: { matchLabels: { app: 'web' } },
      priority: 1000,
      policyTypes: storedTypes,
      ingress: [
        {
          from: [{ objectSelector: { kind: 'NetworkInterface', matchExpressions: [{ key: 'role', operator: 'In', values: ['db'] }] } }, { ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } }],
          ports: [{ protocol: 'TCP', port: 80 }, { port: 8000, endPort: 8080 }],
        },
      ],
      egress: [{ to: [{ objectSelector: { kind: 'LoadBalancer', matchLabels: { tier: 'front' } } }] }],
    });

    const r = (await getRule(np))!;
    expect(r.metadata.labels).toMatchObject(originOf(np).labels);
    expect(r.metadata.annotations).toMatchObject(originOf(np).annotations);
    expect(r.metadata.ownerReferences).toEqual([{ apiVersion: AV, kind: 'NetworkPolicy', name: p.metadata.name, uid: p.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect((r.metadata['managedFields'] as Array<{ manager: string }>).map((m) => m.manager)).toEqual([RULE_MANAGER]);
    expect(r['networkRef']).toEqual({ name: anet!.metadata.name, uid: anet!.metadata.uid });
    expect(r['priority']).toBe(1000);
    const webUid = (await h.apinet.get(apinet.NetworkInterface, ANS, 'full-web-1'))!.metadata.uid;
    expect(r['targets']).toEqual([{ ip: '10.9.0.1', targetRef: { name: 'full-web-1', uid: webUid } }]);
    expect(r['ingressRule']).toEqual([
      {
        networkPolicyPorts: [{ protocol: 'TCP', port: 80 }, { port: 8000, endPort: 8080 }],
        ipBlock: [{ cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] }],
        ips: [{ ipFamily: 'IPv6', prefix: 'fd00::7/128' }],
      },
    ]);
    expect(r['egressRule']).toEqual([{ ips: [{ ipFamily: 'IPv4', prefix: '10.5.0.1/32' }] }]);
    expect((await getNp(np))!.metadata.finalizers).toContain(NP_FINALIZER);
  });

  it('R-NP-07: targets follow NIC readiness; no matching Ready NIC leaves targets absent', async () => {
    const ns = 'np-ready';
    const { net } = await networks(ns);
    await nic('ready-a', net.metadata.uid!, '10.8.0.1', { app: 'a' }, false);
    const np = await policy(ns, 'follow', { networkInterfaceSelector: { matchLabels: { app: 'a' } }, policyTypes: ['Ingress'] });
    await h.reconcile(networkPolicyReconciler, ns, 'follow');
    expect((await getRule(np))!['targets']).toBeUndefined();

    await setState('ready-a', 'Ready');
    await h.reconcile(networkPolicyReconciler, ns, 'follow');
    expect(((await getRule(np))!['targets'] as unknown[]).length).toBe(1);

    await setState('ready-a', 'Pending');
    await h.reconcile(networkPolicyReconciler, ns, 'follow');
    expect((await getRule(np))!['targets']).toBeUndefined();
  });

  it('R-NP-04: ironcore Network missing → nothing applied, no error', async () => {
    const ns = 'np-nonet';
    await h.namespace(ns);
    const np = await policy(ns, 'lonely', { policyTypes: ['Ingress'] });
    await h.reconcile(networkPolicyReconciler, ns, 'lonely');
    expect(await getPolicy(np)).toBeUndefined();
    expect(await getRule(np)).toBeUndefined();
    expect((await getNp(np))!.metadata.finalizers).toContain(NP_FINALIZER);
  });

  it('R-NP-04: apinet Network missing → policy applied, rule skipped until the apinet Network exists', async () => {
    const ns = 'np-noanet';
    const { net } = await networks(ns, false);
    const np = await policy(ns, 'early', { policyTypes: ['Egress'] });
    await h.reconcile(networkPolicyReconciler, ns, 'early');
    expect(await getPolicy(np)).toBeDefined();
    expect(await getRule(np)).toBeUndefined();

    const anet = await apinetNetwork(net);
    await h.reconcile(networkPolicyReconciler, ns, 'early');
    expect((await getRule(np))!['networkRef']).toEqual({ name: anet.metadata.name, uid: anet.metadata.uid });
  });

  it('R-NP-06: an unknown policy type fails before anything is applied', async () => {
    // The ironcore server rejects it, so the object is altered after reading (as a newer CRD could serve it).
    const ns = 'np-type';
    await networks(ns);
    const np = await policy(ns, 'typo', { policyTypes: ['Ingress'] });
    const stored = (await getNp(np))!;
    const odd = networkPolicyReconciler.schema.parse({ ...stored, spec: { ...(stored['spec'] as object), policyTypes: ['Sideways'] } });
    h.apinetEmulator.counters.reset();
    await expect(networkPolicyReconciler.reconcile(odd, h.env, testReconcileContext())).rejects.toThrow(/invalid policy type "Sideways"/);
    expect(h.apinetEmulator.counters.get('patch')).toBe(0);
    expect(await getPolicy(np)).toBeUndefined();
  });

  it('R-NP-06: an unsupported object kind (VirtualIP) fails and the rule is not updated', async () => {
    const ns = 'np-kind';
    await networks(ns);
    const np = await policy(ns, 'vip', { policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] });
    await h.reconcile(networkPolicyReconciler, ns, 'vip');
    const before = (await getRule(np))!;
    await h.ironcore.apply(ironcore.NetworkPolicy, { apiVersion: V, kind: 'NetworkPolicy', metadata: { name: 'vip', namespace: ns }, spec: { networkRef: { name: 'net' }, policyTypes: ['Ingress'], ingress: [{ from: [{ objectSelector: { kind: 'VirtualIP', matchLabels: { a: 'b' } } }] }] } }, { fieldManager: 'test' });
    const stored = networkPolicyReconciler.schema.parse(await getNp(np));
    await expect(networkPolicyReconciler.reconcile(stored, h.env, testReconcileContext())).rejects.toThrow(/VirtualIP/);
    expect((await getRule(np))!.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('R-NP-03: deletion issues the apinet delete and drops the finalizer in the same pass, without waiting', async () => {
    const ns = 'np-delete';
    await networks(ns);
    const np = await policy(ns, 'bye', { policyTypes: ['Ingress'] });
    await h.reconcile(networkPolicyReconciler, ns, 'bye');
    // A foreign finalizer keeps the apinet policy "being deleted"; the ironcore finalizer goes anyway.
    await h.apinet.mergePatch(apinet.NetworkPolicy, ANS, np.metadata.uid!, { metadata: { finalizers: ['test/hold'] } });
    await h.ironcore.delete(ironcore.NetworkPolicy, ns, 'bye');
    const r = await (async () => {
      await h.trigger('NetworkPolicy', ns, 'bye');
      return h.drain(networkPolicyReconciler, { timeoutMs: 5_000 });
    })();
    expect(r).toEqual({ deliveries: 1, remaining: 0 });
    expect(await getNp(np)).toBeUndefined();
    expect((await getPolicy(np))!.metadata.deletionTimestamp).toBeTruthy();
    await h.apinet.mergePatch(apinet.NetworkPolicy, ANS, np.metadata.uid!, { metadata: { finalizers: null } });
    expect(await getPolicy(np)).toBeUndefined();
    await expect.poll(() => getRule(np), { timeout: 5_000 }).toBeUndefined();
  });

  it('R-GEN-06: delete-gone removes apinet policies whose origin names a gone NetworkPolicy', async () => {
    const ns = 'np-gone';
    await networks(ns);
    const np = await policy(ns, 'ghost', { policyTypes: ['Ingress'] });
    await h.reconcile(networkPolicyReconciler, ns, 'ghost');
    await h.ironcore.mergePatch(ironcore.NetworkPolicy, ns, 'ghost', { metadata: { finalizers: null } });
    await h.ironcore.delete(ironcore.NetworkPolicy, ns, 'ghost');
    expect(await getPolicy(np)).toBeDefined();
    await h.reconcile(networkPolicyReconciler, ns, 'ghost');
    expect(await getPolicy(np)).toBeUndefined();
  });

  it('converges after injected 500s on the rule apply and 409s on the policy apply', async () => {
    const ns = 'np-faults';
    await networks(ns);
    const np = await policy(ns, 'flaky', { policyTypes: ['Ingress'] });
    const clearA = h.apinetEmulator.faults.inject({ verb: 'patch', resource: 'networkpolicies', status: 409, count: 1 });
    const clearB = h.apinetEmulator.faults.inject({ verb: 'patch', resource: 'networkpolicyrules', status: 500, count: 1 });
    try {
      await h.reconcile(networkPolicyReconciler, ns, 'flaky');
    } finally {
      clearA();
      clearB();
    }
    expect(await getRule(np)).toBeDefined();
  }, 30_000);

  it('a crash between the policy apply and the rule apply is finished by the next reconcile', async () => {
    const ns = 'np-crash';
    await networks(ns);
    const np = await policy(ns, 'half', { policyTypes: ['Ingress'] });
    const clear = h.apinetEmulator.faults.inject({ verb: 'patch', resource: 'networkpolicyrules', status: 500 });
    await h.trigger('NetworkPolicy', ns, 'half');
    await h.drain(networkPolicyReconciler, { timeoutMs: 800 });
    clear();
    expect(await getPolicy(np)).toBeDefined();
    expect(await getRule(np)).toBeUndefined();
    const r = await h.drain(networkPolicyReconciler, { timeoutMs: 15_000 });
    expect(r.remaining).toBe(0);
    expect(await getRule(np)).toBeDefined();
  }, 30_000);

  it('API calls: first reconcile and a no-op reconcile; a no-op writes nothing but the server-side applies', async () => {
    const ns = 'np-calls';
    const { net } = await networks(ns);
    await nic('calls-1', net.metadata.uid!, '10.7.0.1', { app: 'calls' }, true);
    await policy(ns, 'count', { networkInterfaceSelector: { matchLabels: { app: 'calls' } }, policyTypes: ['Ingress'] });
    const first = await measure(() => h.reconcile(networkPolicyReconciler, ns, 'count'));
    const noop = await measure(() => h.reconcile(networkPolicyReconciler, ns, 'count'));
    console.info(`[NP API calls] first: ${JSON.stringify(first)}\n[NP API calls] no-op: ${JSON.stringify(noop)}`);
    expect(noop.ironcore.nonApplyWrites).toBe(0);
    expect(noop.apinet.nonApplyWrites).toBe(0);
    // issue 12: the applies are skipped (the objects already carry them under our manager): no write, on both tiers
    expect(noop.apinet.applies).toBe(0);
    expect(noop.apinet.writes).toBe(0);
    // the finalizer, plus the ProjectionCreated Events of the apinet NetworkPolicy and NetworkPolicyRule
    expect(first.ironcore.byVerb['create events']).toBe(2);
    expect(first.ironcore.nonApplyWrites).toBe(1 + 2);
  });
});
