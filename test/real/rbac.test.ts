/**
 * The shipped RBAC (infra/kubernetes/{ironcore,apinet}/rbac.yaml) is sufficient and minimal, proven
 * on real API servers (real tier only: `npm run test:real`).
 *
 * Sufficient: functions authenticated as a service account bound by nothing but those manifests
 * converge a world of all six kinds, run the scheduled resync, and clean the world up, without a
 * single 403.
 * Minimal: for every verb of every rule, the same workload under the manifests with just that verb
 * taken out of that rule hits a 403 naming that verb on one of the rule's resources. (Taking a whole
 * rule out takes its verbs with it, so each rule is proven needed as well.)
 *
 * Each variant runs as a fresh service account in a fresh namespace: the aggregated servers cache
 * delegated authorization decisions per user for 10 s, so a new identity sees its own RBAC at once.
 * The ironcore-net controller-manager is stopped for this file: its own NATGatewayAutoscaler would
 * race the resync's NAT autoscaling write (see README, real tier), which the workload must reach.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_IDENTITY, RBAC_FILES, rbacDocuments, applyRbac } from '../../infra/real/pair.ts';
import { ironcore as ironcoreRes, PRIMARY_KINDS, type PrimaryKind } from '../../shared/api/resources.ts';
import { createKubeClient, loadKubeConfig, type KubeClient, type KubeObject } from '../../shared/kube/index.ts';
import type { QueueMessage } from '../../shared/queue/message.ts';
import { kindReconcilers } from '../../shared/reconcile/index.ts';
import { recordEvent } from '../../shared/reconcile/events.ts';
import { runReconcile, type ReconcileEnv } from '../../shared/reconcile/runtime.ts';
import { runResync } from '../../shared/resync/index.ts';
import { APINET_NAMESPACE, startHarness, testReconcileContext, type Harness } from '../integration/harness.ts';
import { buildWorld, convergenceProblems } from '../integration/reconcile/world.ts';
import { onRealServers } from '../servers.ts';

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
type RoleDoc = KubeObject & { rules?: Rule[]; subjects?: { name: string }[] };
type Cluster = 'ironcore' | 'apinet';

let h: Harness;

beforeAll(async () => {
  if (!onRealServers()) throw new Error('the RBAC tests need real API servers: run them with npm run test:real (APINETLET_SERVERS=real)');
  h = await startHarness();
  await h.stopApinetControllers();
}, 120_000);
afterAll(async () => h?.stop());

function clientWithToken(cluster: Cluster, token: string): KubeClient {
  const yaml = (cluster === 'ironcore' ? h.ironcoreEmulator : h.apinetEmulator).kubeconfig().replace(/token: .*/, `token: ${token}`);
  return createKubeClient(loadKubeConfig(yaml, `${cluster} variant kubeconfig`));
}

/** The shipped documents for a subject, with each Role/ClusterRole (and its binding) renamed per variant. */
function variantDocs(cluster: Cluster, suffix: string, user: string, edit?: (rules: Rule[]) => Rule[]): RoleDoc[] {
  const file = RBAC_FILES[cluster];
  const docs = rbacDocuments(readFileSync(file, 'utf8'), { IRONCORE_USER: user, APINET_USER: user, APINET_NAMESPACE }, file) as RoleDoc[];
  return docs.map((d) => {
    const copy = structuredClone(d) as RoleDoc & { roleRef?: { name: string } };
    copy.metadata.name = `${copy.metadata.name}-${suffix}`;
    if (copy.roleRef) copy.roleRef.name = `${copy.roleRef.name}-${suffix}`;
    if (copy.rules && edit) copy.rules = edit(copy.rules);
    return copy;
  });
}

/** The world, reconciled as a controller would (several passes), resynced, then deleted and cleaned up. Returns every error. */
async function workload(env: ReconcileEnv, ns: string): Promise<{ errors: string[]; converged: string[] }> {
  const errors: string[] = [];
  // Events never fail a reconcile (shared/reconcile/events.ts); here their write failures count as errors.
  env = { ...env, events: { onError: (err, spec) => errors.push(`Event ${spec.reason}: ${(err as Error).message}`) } };
  const world = await buildWorld(h, [ns]);
  // R-LB-04: an Internal LB with an ephemeral IP reads its ipam Prefix.
  await h.ironcore.apply(ironcoreRes.LoadBalancer, {
    apiVersion: 'networking.ironcore.dev/v1alpha1',
    kind: 'LoadBalancer',
    metadata: { namespace: ns, name: 'lb-eph' },
    spec: { type: 'Internal', ipFamilies: ['IPv4'], networkRef: { name: 'net' }, ips: [{ ephemeral: { prefixTemplate: { spec: { ipFamily: 'IPv4', prefixLength: 32, parentRef: { name: 'root' } } } } }] },
  }, { fieldManager: 'test', force: true });
  // Reconciled and deleted with the world, but not part of its convergence check (no Prefix allocator runs).
  const keys = [...world.keys, { kind: 'LoadBalancer' as const, namespace: ns, name: 'lb-eph' }];
  const pass = async () => {
    for (const k of keys) {
      const msg: QueueMessage = { v: 1, kind: k.kind, namespace: k.namespace, name: k.name, source: 'resync', run: randomUUID() };
      try {
        await runReconcile(kindReconcilers[k.kind] as never, env, msg, { ...testReconcileContext(), receiveCount: 5 });
      } catch (err) {
        errors.push(`${k.kind} ${k.namespace}/${k.name}: ${(err as Error).message}`);
      }
    }
  };
  // No SIM-08 here: the resync's NAT autoscaling writes spec.ips (update with a precondition).
  for (let i = 0; i < 2; i++) await pass();
  const resyncErrors: string[] = [];
  const log = (m: string, ...extra: Record<string, unknown>[]) => resyncErrors.push(`resync: ${m} ${JSON.stringify(extra.map((e) => String((e.error as Error)?.message ?? JSON.stringify(e))))}`);
  await runResync(
    { ironcore: env.ironcore, apinet: env.apinet, enqueuer: { enqueue: async () => undefined }, logger: { info: () => undefined, warn: log, error: log } },
    { apinetNamespace: APINET_NAMESPACE },
  ).catch((err: Error) => resyncErrors.push(`resync: ${err.message}`));
  // The drift resync (the frequent schedule) LISTs what the checks read (routings, prefixes, …).
  await runResync(
    { ironcore: env.ironcore, apinet: env.apinet, enqueuer: { enqueue: async () => undefined }, logger: { info: () => undefined, warn: log, error: log } },
    { apinetNamespace: APINET_NAMESPACE, mode: 'drift', natAutoscaling: false },
  ).then(
    (s) => resyncErrors.push(...s.errors.map((e) => `resync: ${e}`)),
    (err: Error) => resyncErrors.push(`resync: ${err.message}`),
  );
  errors.push(...resyncErrors);
  for (let i = 0; i < 2; i++) await pass();
  // A repeated Event (a retry failing the same way) is read and counted on: get + patch.
  const network = await h.ironcore.get(ironcoreRes.Network, ns, 'net');
  for (let i = 0; i < 2 && network; i++) await recordEvent(env, ironcoreRes.Network, network, { type: 'Warning', reason: 'RbacProbe', message: 'the same occurrence twice' });
  const converged = await convergenceProblems(h, world);
  for (const k of [...keys].reverse()) {
    await h.ironcore.delete(ironcoreRes[k.kind], k.namespace, k.name).catch(() => undefined);
  }
  for (let i = 0; i < 3; i++) await pass();
  return { errors, converged };
}

async function envFor(suffix: string, edits: Partial<Record<Cluster, (rules: Rule[]) => Rule[]>>): Promise<ReconcileEnv> {
  const name = `apinetlet-${suffix}`;
  const user = `system:serviceaccount:${FUNCTION_IDENTITY.namespace}:${name}`;
  const clients = {} as Record<Cluster, KubeClient>;
  for (const cluster of ['ironcore', 'apinet'] as const) {
    const admin = cluster === 'ironcore' ? h.ironcore : h.apinet;
    await applyRbac(admin, variantDocs(cluster, suffix, user, edits[cluster]), RBAC_FILES[cluster]);
    clients[cluster] = clientWithToken(cluster, await h.real![cluster].serviceAccountToken(FUNCTION_IDENTITY.namespace, name));
  }
  return { ironcore: clients.ironcore, apinet: clients.apinet, settings: h.env.settings, now: () => new Date() };
}

/** Every (cluster, rule, verb) of the shipped manifests. */
function variants(): { cluster: Cluster; rule: number; verb: string; resources: string[] }[] {
  const out: { cluster: Cluster; rule: number; verb: string; resources: string[] }[] = [];
  for (const cluster of ['ironcore', 'apinet'] as const) {
    for (const d of variantDocs(cluster, 'x', 'u')) {
      (d.rules ?? []).forEach((r, rule) => r.verbs.forEach((verb) => out.push({ cluster, rule, verb, resources: r.resources })));
    }
  }
  return out;
}

describe('shipped RBAC on real API servers', () => {
  it('is sufficient: the world converges, resyncs and is cleaned up without one 403', async () => {
    const env = await envFor('full', {});
    const { errors, converged } = await workload(env, 'rbac-full');
    expect(errors.filter((e) => /403|forbidden/i.test(e))).toEqual([]);
    expect(converged).toEqual([]);
  }, 120_000);

  const all = variants();
  it('has rules with verbs to test (the manifests parse)', () => {
    expect(all.length).toBeGreaterThan(10);
    expect(new Set(all.map((v) => v.cluster))).toEqual(new Set(['ironcore', 'apinet']));
  });

  for (const [i, v] of all.entries()) {
    it(`is minimal: without ${v.cluster} rule ${v.rule} verb "${v.verb}" (${v.resources.join(', ')}) a reconcile or the resync is refused`, async () => {
      const env = await envFor(`v${i}`, {
        [v.cluster]: (rules: Rule[]) =>
          rules.map((r, idx) => (idx === v.rule ? { ...r, verbs: r.verbs.filter((x) => x !== v.verb) } : r)).filter((r) => r.verbs.length > 0),
      });
      const { errors } = await workload(env, `rbac-v${i}`);
      const refused = errors.filter((e) => v.resources.some((res) => e.includes(`cannot ${v.verb} resource "${res}"`)));
      expect(refused.length, `no 403 for ${v.verb} on ${v.resources.join(', ')}; errors seen:\n${errors.join('\n')}`).toBeGreaterThan(0);
    }, 120_000);
  }
});

// Keep the kinds list honest: the workload covers every primary kind.
it('the workload covers all six kinds', async () => {
  const world = await buildWorld(h, ['rbac-kinds']);
  expect(new Set(world.keys.map((k) => k.kind))).toEqual(new Set<PrimaryKind>(PRIMARY_KINDS));
});
