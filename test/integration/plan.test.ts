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
import { apinet, apiVersionOf, ironcore, type ResourceInfo } from '../../shared/api/resources.ts';
import type { KubeObject } from '../../shared/kube/types.ts';
import { networkReconciler } from '../../shared/reconcile/network.ts';
import { virtualIpReconciler } from '../../shared/reconcile/virtualip.ts';
import { natGatewayReconciler } from '../../shared/reconcile/natgateway.ts';
import { planReconcile, type PlannedWrite } from '../../shared/reconcile/plan.ts';
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
    const plan = await planReconcile(natGatewayReconciler, h.env, { namespace: 'plan-d', name: 'g' }, testReconcileContext());
    expect(plan.writes.map((w) => `${w.cluster} ${w.verb} ${w.kind}`)).toEqual(['ironcore json-patch NATGateway', 'apinet apply NATGateway', 'apinet apply NATGatewayAutoscaler']);
    expect(await h.apinet.get(apinet.NATGateway, APINET_NAMESPACE, g.metadata.uid!)).toBeUndefined();
    await h.reconcile(natGatewayReconciler, 'plan-d', 'g');
    const stored = await h.apinet.get<Obj>(apinet.NATGateway, APINET_NAMESPACE, g.metadata.uid!);
    expect(comparable(plan.writes[1]!.after)).toEqual(comparable(stored));
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
