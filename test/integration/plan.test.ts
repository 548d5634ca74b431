/**
 * `npm run plan` (issue 13 part 5) over real HTTP on the emulators: the plan mode of the reconcile
 * env (shared/reconcile/plan.ts) prints what the real reconcile then writes, and writes nothing.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APINET_NAMESPACE, startHarness, testReconcileContext, type Harness } from './harness.ts';
import { apinet, apiVersionOf, ironcore, ironcore as ironcoreResources, type ResourceInfo } from '../../shared/api/resources.ts';
import type { KubeObject } from '../../shared/kube/types.ts';
import { networkReconciler } from '../../shared/reconcile/network.ts';
import { virtualIpReconciler } from '../../shared/reconcile/virtualip.ts';
import { natGatewayReconciler } from '../../shared/reconcile/natgateway.ts';
import { planClient, planReconcile, type PlannedWrite } from '../../shared/reconcile/plan.ts';
import { loadBalancerReconciler } from '../../shared/reconcile/loadbalancer.ts';
import { networkPolicyReconciler } from '../../shared/reconcile/networkpolicy.ts';
import { networkInterfaceReconciler } from '../../shared/reconcile/networkinterface.ts';
import { runReconcile } from '../../shared/reconcile/runtime.ts';
import { formatNetworkInterfaceProviderId } from '../../shared/api/provider-id.ts';
import { comparable } from '../../infra/local/plan-diff.ts';
import type { KindReconciler } from '../../shared/reconcile/runtime.ts';

type Obj = KubeObject & { spec?: any; status?: any };
const run = promisify(execFile);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

/** Everything both clusters hold, as resourceVersions per object: a write anywhere changes it. */
async function snapshot(): Promise<string> {
  const all: string[] = [];
  for (const [cluster, client, kinds] of [
    ['ironcore', h.ironcore, [ironcore.Network, ironcore.VirtualIP]],
    ['apinet', h.apinet, [apinet.Network, apinet.IP]],
  ] as const) {
    for (const res of kinds as readonly ResourceInfo[]) {
      for await (const o of client.listAll(res)) all.push(`${cluster} ${res.kind} ${o.metadata.namespace}/${o.metadata.name} ${o.metadata.resourceVersion}`);
    }
  }
  return all.sort().join('\n');
}

/** The ironcore object as the plan says the reconcile leaves it: the last dry-run answer for it. */
const lastIroncore = (writes: PlannedWrite[], kind: string) => writes.filter((w) => w.cluster === 'ironcore' && w.kind === kind).at(-1)?.after as Obj | undefined;
/**
 * The finalizers the plan adds: each dry-run answer is relative to the STORED object (the server
 * does not chain dry runs), so the finalizer shows in the answer of the finalizer patch itself.
 */
const plannedFinalizers = (writes: PlannedWrite[], kind: string) =>
  (writes.filter((w) => w.cluster === 'ironcore' && w.kind === kind && w.verb === 'json-patch').at(-1)?.after as Obj | undefined)?.metadata.finalizers;

async function planThenReconcile<T extends KubeObject>(reconciler: KindReconciler<T>, res: ResourceInfo, apinetRes: ResourceInfo, ns: string, name: string, spec: Record<string, unknown>) {
  await h.namespace(ns);
  const created = await h.ironcore.apply<Obj>(res, { apiVersion: apiVersionOf(res), kind: res.kind, metadata: { name, namespace: ns }, spec }, { fieldManager: 'test' });
  const before = await snapshot();
  const plan = await planReconcile(reconciler, h.env, { namespace: ns, name }, testReconcileContext());
  expect(await snapshot()).toBe(before); // plan writes nothing, in either cluster
  expect(plan.result.outcome).toBe('done');
  const applied = plan.writes.filter((w) => w.cluster === 'apinet' && w.verb === 'apply');
  expect(applied).toHaveLength(1);
  expect(applied[0]!.name).toBe(created.metadata.uid);

  await h.reconcile(reconciler, ns, name);
  const stored = await h.apinet.get<Obj>(apinetRes, APINET_NAMESPACE, created.metadata.uid!);
  const ironcoreAfter = await h.ironcore.get<Obj>(res, ns, name);
  return {
    plan,
    planned: applied[0]!.after as Obj,
    stored: stored!,
    plannedIroncore: lastIroncore(plan.writes, res.kind)!,
    plannedFinalizers: plannedFinalizers(plan.writes, res.kind),
    ironcoreAfter: ironcoreAfter!,
  };
}

describe('npm run plan (plan mode of the reconcile env)', () => {
  it('Network: the planned apinet Network and ironcore patches are what the reconcile then writes', async () => {
    const r = await planThenReconcile(networkReconciler, ironcore.Network, apinet.Network, 'plan-a', 'n1', {});
    // Verbs as the reconcile sends them: finalizer (json-patch), apply, providerID + status (merge patches).
    expect(r.plan.writes.map((w) => `${w.cluster} ${w.verb}${w.subresource ? '/' + w.subresource : ''}`)).toEqual([
      'ironcore json-patch',
      'apinet apply',
      'ironcore merge-patch',
      'ironcore merge-patch/status',
    ]);
    // On a create the server allocates the VNI (spec.id) and the uid; the dry run's are placeholders
    // (a dry run reserves nothing), so the providerID built from them differs in those parts only.
    const withoutId = (o: Obj) => ({ ...comparable(o), spec: { ...(o.spec ?? {}), id: '<allocated>' } });
    expect(withoutId(r.planned)).toEqual(withoutId(r.stored));
    expect(r.plannedIroncore.status).toEqual(r.ironcoreAfter.status);
    expect(r.plannedFinalizers).toEqual(r.ironcoreAfter.metadata.finalizers);
    const shape = (id: string) => id.replace(/\/\d+\/[0-9a-f-]+$/, '/<vni>/<uid>');
    const providerWrite = r.plan.writes.find((w) => w.cluster === 'ironcore' && w.verb === 'merge-patch' && !w.subresource)!;
    expect(shape((providerWrite.after as Obj).spec.providerID)).toBe(shape(r.ironcoreAfter.spec.providerID));
  });

  it('VirtualIP: the planned apinet IP and status.ip are what the reconcile then writes', async () => {
    const r = await planThenReconcile(virtualIpReconciler, ironcore.VirtualIP, apinet.IP, 'plan-b', 'v1', { type: 'Public', ipFamily: 'IPv4' });
    // The address is allocated on create; the dry run's is a placeholder (it reserves nothing).
    const withoutIp = (o: Obj) => {
      const c = comparable(o) as any;
      return { ...c, metadata: { ...c.metadata, labels: { ...c.metadata.labels, 'apinet.ironcore.dev/ip': '<allocated>' } }, spec: { ...c.spec, ip: '<allocated>' } };
    };
    expect(withoutIp(r.planned)).toEqual(withoutIp(r.stored));
    expect(r.plannedIroncore.status.ip).toBeTruthy();
    expect(r.ironcoreAfter.status.ip).toBe(r.stored.spec.ip);
    expect(r.plannedFinalizers).toEqual(r.ironcoreAfter.metadata.finalizers);
  });

  it('on stored objects the plan equals the reconcile exactly: status cleared on a Network and a VirtualIP', async () => {
    for (const [reconciler, res, ns, name] of [
      [networkReconciler, ironcore.Network, 'plan-a', 'n1'],
      [virtualIpReconciler, ironcore.VirtualIP, 'plan-b', 'v1'],
    ] as const) {
      const expected = await h.ironcore.get<Obj>(res, ns, name);
      await h.ironcore.mergePatch(res, ns, name, { status: null }, { subresource: 'status' });
      const before = await snapshot();
      const plan = await planReconcile(reconciler as KindReconciler<KubeObject>, h.env, { namespace: ns, name }, testReconcileContext());
      expect(await snapshot()).toBe(before);
      expect(plan.writes.map((w) => `${w.cluster} ${w.verb}${w.subresource ? '/' + w.subresource : ''}`)).toEqual(['ironcore merge-patch/status']);
      const planned = plan.writes[0]!.after as Obj;
      await h.reconcile(reconciler as KindReconciler<KubeObject>, ns, name);
      const after = await h.ironcore.get<Obj>(res, ns, name);
      expect(planned.status).toEqual(after!.status);
      expect(after!.status).toEqual(expected!.status);
      expect(planned.spec).toEqual(after!.spec);
      expect(planned.metadata.finalizers).toEqual(after!.metadata.finalizers);
    }
  });

  it('NATGateway (same env-level mechanism): the planned apinet NATGateway is what the reconcile applies', async () => {
    await h.namespace('plan-d');
    await h.ironcore.apply(ironcore.Network, { apiVersion: apiVersionOf(ironcore.Network), kind: 'Network', metadata: { name: 'n', namespace: 'plan-d' }, spec: {} }, { fieldManager: 'test' });
    await h.reconcile(networkReconciler, 'plan-d', 'n');
    const g = await h.ironcore.apply<Obj>(
      ironcore.NATGateway,
      { apiVersion: apiVersionOf(ironcore.NATGateway), kind: 'NATGateway', metadata: { name: 'g', namespace: 'plan-d' }, spec: { type: 'Public', ipFamily: 'IPv4', networkRef: { name: 'n' } } },
      { fieldManager: 'test' },
    );
    expect(await h.apinet.get(apinet.NATGateway, APINET_NAMESPACE, g.metadata.uid!)).toBeUndefined();
    // Compared with the answers the reconcile got, not with the object stored later: on the real
    // tier ironcore-net's NAT autoscaler adds spec.ips right after the create.
    const writes = await expectPlanIsReconcile(natGatewayReconciler, 'plan-d', 'g', [['ironcore', ironcore.NATGateway], ['apinet', apinet.NATGateway], ['apinet', apinet.NATGatewayAutoscaler]]);
    expect(writes.map((w) => `${w.cluster} ${w.verb} ${w.kind}`)).toEqual(['ironcore json-patch NATGateway', 'apinet apply NATGateway', 'apinet apply NATGatewayAutoscaler']);
    expect(await h.apinet.get(apinet.NATGateway, APINET_NAMESPACE, g.metadata.uid!)).toBeDefined();
  });

  it('an object not stored yet (the CLI input for a new object): planned from its dry-run apply, nothing stored', async () => {
    await h.namespace('plan-e');
    const input = await h.ironcore.apply(
      ironcore.VirtualIP,
      { apiVersion: apiVersionOf(ironcore.VirtualIP), kind: 'VirtualIP', metadata: { name: 'new', namespace: 'plan-e' }, spec: { type: 'Public', ipFamily: 'IPv4' } },
      { fieldManager: 'apinetlet-plan', dryRun: true },
    );
    const before = await snapshot();
    const plan = await planReconcile(virtualIpReconciler, h.env, { namespace: 'plan-e', name: 'new' }, testReconcileContext(), [input]);
    expect(await snapshot()).toBe(before);
    expect(await h.ironcore.get(ironcore.VirtualIP, 'plan-e', 'new')).toBeUndefined();
    expect(plan.writes.map((w) => `${w.cluster} ${w.verb}${w.subresource ? '/' + w.subresource : ''}`)).toEqual(['ironcore json-patch', 'apinet apply', 'ironcore merge-patch/status']);
    expect((plan.writes[2]!.after as Obj).status.ip).toBe((plan.writes[1]!.after as Obj).spec.ip);
  });

  it('a second plan after the reconcile plans no apinet write (the apply is a no-op) and still writes nothing', async () => {
    const before = await snapshot();
    const plan = await planReconcile(networkReconciler, h.env, { namespace: 'plan-a', name: 'n1' }, testReconcileContext());
    expect(plan.writes).toEqual([]);
    expect(await snapshot()).toBe(before);
  });
});

/**
 * The real reconcile of a key with its writes recorded the way a plan records them (same client
 * wrapper, writes stored): the plan of the same key just before must list the same writes.
 */
async function recordedReconcile<T extends KubeObject>(reconciler: KindReconciler<T>, ns: string, name: string): Promise<PlannedWrite[]> {
  const writes: PlannedWrite[] = [];
  const env = { ...h.env, ironcore: planClient(h.env.ironcore, 'ironcore', writes, [], { dryRun: false }), apinet: planClient(h.env.apinet, 'apinet', writes, [], { dryRun: false }), events: { disabled: true } };
  const result = await runReconcile(reconciler, env, { v: 1, kind: reconciler.kind, namespace: ns, name, source: 'resync' } as never, { ...testReconcileContext(), receiveCount: 100 });
  expect(result.outcome).toBe('done');
  return writes;
}

/**
 * What may differ between a plan and the reconcile after it: what the server allocates on create
 * (addresses, uids, and the names generated from them), which a dry run shows as placeholders.
 */
const IP = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7})$/i;
function withoutAllocations(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => withoutAllocations(x));
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([k]) => !['resourceVersion', 'creationTimestamp', 'managedFields', 'generation'].includes(k))
        .map(([k, x]) => [k, withoutAllocations(x, k)]),
    );
  }
  if (typeof v === 'string' && IP.test(v)) return '<ip>';
  if (typeof v === 'string' && key === 'uid') return '<uid>';
  return v;
}
const shapeOf = (w: PlannedWrite) => `${w.cluster} ${w.verb} ${w.kind}${w.subresource ? '/' + w.subresource : ''} ${w.namespace ?? ''}/${w.name}`;

/** Plan, then reconcile: the same writes, the same bodies and results except for allocations. */
async function expectPlanIsReconcile<T extends KubeObject>(reconciler: KindReconciler<T>, ns: string, name: string, watched: [KubeClientName, ResourceInfo][]): Promise<PlannedWrite[]> {
  const rvs = async () => {
    const all: string[] = [];
    for (const [cluster, res] of watched) for await (const o of (cluster === 'ironcore' ? h.ironcore : h.apinet).listAll(res)) all.push(`${cluster} ${res.kind} ${o.metadata.namespace}/${o.metadata.name} ${o.metadata.resourceVersion}`);
    return all.sort().join('\n');
  };
  const before = await rvs();
  const plan = await planReconcile(reconciler, h.env, { namespace: ns, name }, testReconcileContext());
  expect(plan.result.outcome).toBe('done');
  expect(await rvs()).toBe(before); // the plan wrote nothing
  const done = await recordedReconcile(reconciler, ns, name);
  expect(plan.writes.map(shapeOf)).toEqual(done.map(shapeOf));
  expect(plan.writes.length).toBeGreaterThan(0);
  // A dry-run answer is relative to the STORED object (the server does not chain dry runs), so the
  // finalizer the plan adds shows only in the answer to the finalizer patch itself: compared there.
  const unchained = (o: unknown) => {
    const c = withoutAllocations(o) as Obj | undefined;
    return c?.metadata ? { ...c, metadata: { ...c.metadata, finalizers: undefined } } : c;
  };
  for (const [i, w] of plan.writes.entries()) {
    expect(withoutAllocations(w.body), shapeOf(w)).toEqual(withoutAllocations(done[i]!.body));
    expect(unchained(w.after), shapeOf(w)).toEqual(unchained(done[i]!.after));
  }
  const kind = reconciler.kind;
  const stored = await h.ironcore.get<Obj>(ironcoreResources[kind], ns, name);
  expect(plannedFinalizers(plan.writes, kind) ?? stored!.metadata.finalizers).toEqual(stored!.metadata.finalizers);
  return plan.writes;
}
type KubeClientName = 'ironcore' | 'apinet';

describe('npm run plan: LoadBalancer, NetworkPolicy, NetworkInterface (plan == the reconcile that follows)', () => {
  const V = 'networking.ironcore.dev/v1alpha1';
  const AV = 'core.apinet.ironcore.dev/v1alpha1';
  async function network(ns: string): Promise<Obj> {
    await h.namespace(ns);
    await h.ironcore.apply(ironcore.Network, { apiVersion: V, kind: 'Network', metadata: { name: 'net', namespace: ns }, spec: {} }, { fieldManager: 'test' });
    await h.reconcile(networkReconciler, ns, 'net');
    return (await h.ironcore.get<Obj>(ironcore.Network, ns, 'net'))!;
  }

  it('LoadBalancer (public): finalizer, LB + routing applies, status.ips; a second plan is empty', async () => {
    await network('plan-lb');
    await h.ironcore.apply(
      ironcore.LoadBalancer,
      { apiVersion: V, kind: 'LoadBalancer', metadata: { name: 'web', namespace: 'plan-lb' }, spec: { type: 'Public', ipFamilies: ['IPv4'], networkRef: { name: 'net' }, ports: [{ protocol: 'TCP', port: 80 }] } },
      { fieldManager: 'test' },
    );
    const writes = await expectPlanIsReconcile(loadBalancerReconciler, 'plan-lb', 'web', [['ironcore', ironcore.LoadBalancer], ['apinet', apinet.LoadBalancer], ['apinet', apinet.LoadBalancerRouting], ['apinet', apinet.IP]]);
    expect(writes.map((w) => `${w.cluster} ${w.verb} ${w.kind}`)).toEqual(expect.arrayContaining(['ironcore json-patch LoadBalancer', 'apinet apply LoadBalancer', 'apinet apply LoadBalancerRouting']));
    expect((await planReconcile(loadBalancerReconciler, h.env, { namespace: 'plan-lb', name: 'web' }, testReconcileContext())).writes).toEqual([]);
  });

  it('NetworkPolicy selecting a Ready NIC: policy + rule applies with its target; a second plan is empty', async () => {
    const net = await network('plan-np');
    await h.apinet.apply(
      apinet.NetworkInterface,
      { apiVersion: AV, kind: 'NetworkInterface', metadata: { name: 'plan-np-nic', namespace: APINET_NAMESPACE, labels: { app: 'web' } }, spec: { nodeRef: { name: 'node-1' }, networkRef: { name: net.metadata.uid }, ips: ['10.7.0.1'] } },
      { fieldManager: 'test' },
    );
    await h.apinet.mergePatch(apinet.NetworkInterface, APINET_NAMESPACE, 'plan-np-nic', { status: { state: 'Ready' } }, { subresource: 'status' });
    await h.ironcore.apply(
      ironcore.NetworkPolicy,
      {
        apiVersion: V,
        kind: 'NetworkPolicy',
        metadata: { name: 'np', namespace: 'plan-np' },
        spec: { networkRef: { name: 'net' }, networkInterfaceSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 80 }] }] },
      },
      { fieldManager: 'test' },
    );
    const writes = await expectPlanIsReconcile(networkPolicyReconciler, 'plan-np', 'np', [['ironcore', ironcore.NetworkPolicy], ['apinet', apinet.NetworkPolicy], ['apinet', apinet.NetworkPolicyRule]]);
    expect(writes.map((w) => `${w.cluster} ${w.verb} ${w.kind}`)).toEqual(expect.arrayContaining(['apinet apply NetworkPolicy', 'apinet apply NetworkPolicyRule']));
    const rule = writes.find((w) => w.kind === 'NetworkPolicyRule')!.after as Obj;
    expect(JSON.stringify(rule)).toContain('10.7.0.1');
    expect((await planReconcile(networkPolicyReconciler, h.env, { namespace: 'plan-np', name: 'np' }, testReconcileContext())).writes).toEqual([]);
  });

  it('NetworkInterface claiming a VirtualIP: the claim, the apinet NIC patch and the status are what the reconcile writes', async () => {
    const ns = 'plan-nic';
    const net = await network(ns);
    const vip = await h.ironcore.apply<Obj>(ironcore.VirtualIP, { apiVersion: V, kind: 'VirtualIP', metadata: { name: 'vip', namespace: ns }, spec: { type: 'Public', ipFamily: 'IPv4' } }, { fieldManager: 'test' });
    await h.reconcile(virtualIpReconciler, ns, 'vip');
    const anic = await h.apinet.apply<Obj>(
      apinet.NetworkInterface,
      { apiVersion: AV, kind: 'NetworkInterface', metadata: { name: 'plan-nic-anic', namespace: APINET_NAMESPACE }, spec: { nodeRef: { name: 'node-1' }, networkRef: { name: net.metadata.uid }, ips: ['10.8.0.1'] } },
      { fieldManager: 'machinepool' },
    );
    const providerID = formatNetworkInterfaceProviderId({ namespace: APINET_NAMESPACE, name: anic.metadata.name!, node: 'node-1', uid: anic.metadata.uid! });
    await h.ironcore.apply(
      ironcore.NetworkInterface,
      { apiVersion: V, kind: 'NetworkInterface', metadata: { name: 'nic', namespace: ns }, spec: { networkRef: { name: 'net' }, ipFamilies: ['IPv4'], ips: [{ value: '10.8.0.1' }], providerID, virtualIP: { virtualIPRef: { name: 'vip' } } } },
      { fieldManager: 'test' },
    );
    const writes = await expectPlanIsReconcile(networkInterfaceReconciler, ns, 'nic', [['ironcore', ironcore.NetworkInterface], ['ironcore', ironcore.VirtualIP], ['apinet', apinet.NetworkInterface], ['apinet', apinet.IP]]);
    expect(writes.some((w) => w.cluster === 'ironcore' && w.kind === 'VirtualIP')).toBe(true); // the claim (targetRef)
    expect(writes.some((w) => w.cluster === 'apinet' && w.kind === 'NetworkInterface')).toBe(true);
    const stored = (await h.ironcore.get<Obj>(ironcore.VirtualIP, ns, 'vip'))!;
    expect(stored.spec.targetRef).toMatchObject({ name: 'nic' });
    expect(vip.metadata.uid).toBe(stored.metadata.uid);
  });
});

describe('npm run plan CLI', () => {
  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'infra/local/plan.ts', ...args], { cwd: new URL('../..', import.meta.url).pathname }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  it('--help exits 0 with the usage; a bad flag exits 2 with one line', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run plan -- -f object.yaml/);
    const bad = await cli(['--nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual(['npm run plan --: unknown flag --nope (see --help)']);
    const unknownKind = await cli(['-f', 'package.json']);
    expect(unknownKind.code).toBe(2);
    expect(unknownKind.stderr.trim().split('\n')).toHaveLength(1);
    const missing = await cli(['-f', '/does/not/exist.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('prints the planned writes and the apinet diff of a VirtualIP in the file, storing nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plan-'));
    await writeFile(join(dir, 'ironcore.kubeconfig'), h.ironcoreEmulator.kubeconfig());
    await writeFile(join(dir, 'apinet.kubeconfig'), h.apinetEmulator.kubeconfig());
    await h.namespace('plan-c');
    await h.ironcore.apply(ironcore.VirtualIP, { apiVersion: apiVersionOf(ironcore.VirtualIP), kind: 'VirtualIP', metadata: { name: 'v2', namespace: 'plan-c' }, spec: { type: 'Public', ipFamily: 'IPv4' } }, { fieldManager: 'test' });
    // The file changes nothing the apinetlet projects; a second document of another kind.
    await writeFile(
      join(dir, 'o.yaml'),
      'apiVersion: networking.ironcore.dev/v1alpha1\nkind: VirtualIP\nmetadata: {name: v2, namespace: plan-c}\nspec: {type: Public, ipFamily: IPv4}\n',
    );
    const before = await snapshot();
    const r = await cli(['-f', join(dir, 'o.yaml'), '--ironcore-kubeconfig', join(dir, 'ironcore.kubeconfig'), '--apinet-kubeconfig', join(dir, 'apinet.kubeconfig'), '--apinet-namespace', APINET_NAMESPACE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await snapshot()).toBe(before);
    const docs = yaml.loadAll(r.stdout) as any[];
    expect(docs[0].plan).toBe('VirtualIP plan-c/v2');
    expect(docs[0].writes.map((w: any) => `${w.cluster} ${w.verb}`)).toEqual(['ironcore json-patch', 'apinet apply', 'ironcore merge-patch']);
    expect(r.stdout).toMatch(/# diff apinet IP apinet\/[0-9a-f-]+ \(apply\) — created/);
    expect(r.stdout).toMatch(/^\+ {3}type: Public$/m);
  }, 60_000);
});
