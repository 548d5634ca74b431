/**
 * Replacing the Go apinetlet (ironcore-net v0.3.0 cmd/apinetlet) with this project on the same
 * clusters (real tier only: `npm run test:real` or `npm run test:migration`).
 *
 * The Go apinetlet reconciles a world of all six kinds first and is stopped; its state is what the
 * test starts from (projections with the name as a *label*, its finalizers on the ironcore
 * objects, its field managers). Then the local stack runs on the same pair. Checked:
 * - nothing recreated: every apinet object keeps its name and UID, none is added (no duplicate, no
 *   orphan), the ironcore objects keep theirs;
 * - R-MIG-01: the name label became the annotation; the world converges by this project's rules;
 * - field ownership: the Go and the TS apinetlet apply under the same manager
 *   (`ironcore.dev/apinetlet`), so there is one Apply entry per projection, it owns the origin
 *   keys, and nobody owns the stale name label any more;
 * - its finalizers honoured: deleting the world removes every ironcore object (the stack removes
 *   the finalizers the Go apinetlet added) and leaves no apinet object stemming from it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type LocalStack } from '../../infra/local/stack/stack.ts';
import { startGoApinetlet, type GoApinetlet } from '../../infra/real/apinetlet.ts';
import { realBinaries } from '../../infra/real/cluster.ts';
import { startRealPair, type RealPair } from '../../infra/real/pair.ts';
import { APINETLET_FIELD_MANAGER, finalizerOf, originKeysOf } from '../../shared/api/origin.ts';
import { core, ironcore, PRIMARY_KINDS, type PrimaryKind, type ResourceInfo } from '../../shared/api/resources.ts';
import type { KubeObject } from '../../shared/kube/types.ts';
import { kindReconcilers } from '../../shared/reconcile/index.ts';
import type { Harness } from '../integration/harness.ts';
import { APINET_KINDS, buildWorld, convergenceProblems, type World } from '../integration/reconcile/world.ts';
import { onRealServers } from '../servers.ts';

const ANS = 'apinet';
const NS = 'mig';
type Obj = KubeObject & { spec?: any; status?: any };
type ManagedField = { manager: string; operation: string; subresource?: string; fieldsV1?: Record<string, any> };

let dir: string;
let pair: RealPair;
let go: GoApinetlet | undefined;
let stack: LocalStack | undefined;
let h: Harness;

beforeAll(async () => {
  if (!onRealServers()) throw new Error('the migration test needs real API servers and the Go apinetlet: run it with npm run test:migration (APINETLET_SERVERS=real)');
  dir = await mkdtemp(join(tmpdir(), 'apinetlet-migration-'));
  const binDir = await realBinaries();
  pair = await startRealPair({ dir: join(dir, 'pair'), apinetNamespace: ANS });
  // What world.ts needs of a harness: the admin clients and namespace creation.
  h = {
    ironcore: pair.ironcore.admin,
    apinet: pair.apinet.admin,
    namespace: async (name: string) => void (await pair.ironcore.admin.apply(core.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'test' })),
  } as unknown as Harness;
  go = await startGoApinetlet({ binDir, pair, apinetNamespace: ANS, workDir: dir });
}, 180_000);

afterAll(async () => {
  await go?.stop();
  await stack?.stop();
  await pair?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const IRONCORE: Record<PrimaryKind, ResourceInfo> = Object.fromEntries(PRIMARY_KINDS.map((k) => [k, ironcore[k]])) as Record<PrimaryKind, ResourceInfo>;

async function apinetObjects(): Promise<Map<string, Obj>> {
  const out = new Map<string, Obj>();
  for (const res of APINET_KINDS) for await (const o of h.apinet.listAll<Obj>(res, { namespace: ANS })) out.set(`${res.kind} ${o.metadata.name}`, o);
  return out;
}

/** The origin kinds whose keys an apinet object carries (any of the uid labels). */
const originKindsOf = (o: Obj): PrimaryKind[] => PRIMARY_KINDS.filter((k) => o.metadata.labels?.[originKeysOf(k).uidLabel] !== undefined);

async function until(what: string, check: () => Promise<string[]>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let problems: string[] = [];
  while (Date.now() < deadline) {
    problems = await check();
    if (problems.length === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} within ${timeoutMs} ms; still:\n${problems.join('\n')}`);
}

/** The Go apinetlet's converged state: its finalizers, and each projection with the v0.3.0 origin layout (name as a label). */
async function goProblems(world: World): Promise<string[]> {
  const problems: string[] = [];
  const objs = await apinetObjects();
  for (const k of world.keys) {
    const o = await h.ironcore.get<Obj>(IRONCORE[k.kind], k.namespace, k.name);
    const id = `${k.kind} ${k.namespace}/${k.name}`;
    if (!o) {
      problems.push(`${id} missing`);
      continue;
    }
    if (!o.metadata.finalizers?.includes(finalizerOf(k.kind))) problems.push(`${id}: no Go finalizer yet`);
    const keys = originKeysOf(k.kind);
    const projected = [...objs.values()].filter((p) => p.metadata.labels?.[keys.uidLabel] === o.metadata.uid);
    // Go v0.3.0 cannot claim apinet NICs on these servers: its claim strategy panics ("failed to get
    // restmapping: no matches for kind NetworkInterface in version networking.ironcore.dev/v1alpha1",
    // utils/client/sourceaware.go: the ironcore kind looked up in the apinet cluster's REST mapper).
    // So the NIC starts unclaimed (with the Go finalizer) and this project claims it.
    if (projected.length === 0 && k.kind !== 'NetworkInterface') problems.push(`${id}: nothing in ${ANS} stems from it yet`);
    if (k.kind === 'Network' && !o.spec?.providerID) problems.push(`${id}: no providerID yet`);
  }
  return problems;
}

it('switching from the Go apinetlet: nothing recreated or orphaned, R-MIG-01 applied, field ownership passes, its finalizers honoured', async () => {
  // --- the Go apinetlet runs the world -----------------------------------------------------
  const world = await buildWorld(h, [NS]);
  await until('the Go apinetlet did not converge the world', () => goProblems(world), 90_000);
  await go!.stop();
  go = undefined;

  const before = await apinetObjects();
  const ironcoreBefore = new Map<string, Obj>();
  for (const k of world.keys) ironcoreBefore.set(`${k.kind} ${k.name}`, (await h.ironcore.get<Obj>(IRONCORE[k.kind], k.namespace, k.name))!);
  const stemming = [...before.entries()].filter(([, o]) => originKindsOf(o).length > 0);
  // What v0.3.0 leaves: the name as a label, no annotation; applies under the same manager as ours.
  expect(stemming.length).toBeGreaterThanOrEqual(world.keys.length);
  for (const [id, o] of stemming) {
    for (const kind of originKindsOf(o)) {
      const keys = originKeysOf(kind);
      expect(o.metadata.labels?.[keys.nameAnnotation], `${id}: Go v0.3.0 stores the origin name as a label`).toBeTruthy();
      expect(o.metadata.annotations?.[keys.nameAnnotation], id).toBeUndefined();
    }
  }
  const goAppliers = new Set(stemming.flatMap(([, o]) => ((o.metadata.managedFields ?? []) as ManagedField[]).filter((m) => m.operation === 'Apply').map((m) => m.manager)));
  expect([...goAppliers]).toEqual(expect.arrayContaining([APINETLET_FIELD_MANAGER, 'networkpolicies.networking.ironcore.dev']));

  // --- this project takes over --------------------------------------------------------------
  stack = await startStack({
    dir: join(dir, 'stack'),
    reconcilers: kindReconcilers,
    real: pair,
    env: { APINET_NAMESPACE: ANS, NAT_AUTOSCALING: 'false', APINETLET_RESYNC_INTERVAL: '86400' },
    logLevel: process.env.MIGRATION_LOG_LEVEL ?? 'SILENT',
  });
  // The stack resyncs once at start (R-MIG-01 migration first, then every key enqueued); once more to be sure.
  await stack.resyncNow();
  await until(
    'the world did not converge under this project',
    async () => {
      const problems = await convergenceProblems(h, world);
      if (problems.length === 0) return problems;
      // What `kubectl describe` would say about them: the Events of the namespace.
      const events = (await h.ironcore.list<Obj>(core.Event, { namespace: NS })).items;
      return [...problems, ...events.map((e) => `Event ${(e.involvedObject as { kind: string; name: string }).kind}/${(e.involvedObject as { name: string }).name} ${e.type} ${e.reason} x${e.count}: ${e.message}`)];
    },
    90_000,
  );

  // Nothing recreated, nothing added: the same apinet objects with the same UIDs.
  const after = await apinetObjects();
  expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  for (const [id, o] of after) expect(o.metadata.uid, `${id} was recreated`).toBe(before.get(id)!.metadata.uid);
  for (const k of world.keys) {
    const o = (await h.ironcore.get<Obj>(IRONCORE[k.kind], k.namespace, k.name))!;
    const was = ironcoreBefore.get(`${k.kind} ${k.name}`)!;
    expect(o.metadata.uid).toBe(was.metadata.uid);
    // The finalizer the Go apinetlet added is the one this project uses: not added twice, not replaced.
    expect(o.metadata.finalizers?.filter((f) => f === finalizerOf(k.kind))).toEqual([finalizerOf(k.kind)]);
    if (k.kind === 'Network') expect(o.spec?.providerID, 'the once-written provider ID stays').toBe(was.spec?.providerID);
  }

  // Field ownership: one Apply entry per manager, owning the origin keys; the stale name label is owned by nobody.
  for (const [id, o] of after) {
    const kinds = originKindsOf(o);
    if (kinds.length === 0) continue;
    const managed = (o.metadata.managedFields ?? []) as ManagedField[];
    const applies = managed.filter((m) => m.operation === 'Apply' && !m.subresource);
    expect(new Set(applies.map((m) => m.manager)).size, `${id}: one Apply entry per manager`).toBe(applies.length);
    for (const kind of kinds) {
      const keys = originKeysOf(kind);
      expect(o.metadata.labels?.[keys.nameAnnotation], `${id}: the Go name label lingers`).toBeUndefined();
      expect(o.metadata.annotations?.[keys.nameAnnotation]).toBeTruthy();
      for (const m of managed) expect(m.fieldsV1?.['f:metadata']?.['f:labels']?.[`f:${keys.nameAnnotation}`], `${id}: ${m.manager} still owns the name label`).toBeUndefined();
      if (kind !== 'NetworkInterface') {
        // Projections are applied: our Apply entry owns the uid label and the name annotation.
        const ours = applies.find((m) => m.manager === APINETLET_FIELD_MANAGER || m.manager === 'networkpolicies.networking.ironcore.dev');
        expect(ours?.fieldsV1?.['f:metadata']?.['f:labels']?.[`f:${keys.uidLabel}`], `${id}: uid label owned by our apply`).toBeDefined();
        expect(ours?.fieldsV1?.['f:metadata']?.['f:annotations']?.[`f:${keys.nameAnnotation}`], `${id}: name annotation owned by our apply`).toBeDefined();
      }
    }
  }

  // --- its finalizers honoured on delete ----------------------------------------------------
  for (const k of [...world.keys].reverse()) await h.ironcore.delete(IRONCORE[k.kind], k.namespace, k.name);
  await until(
    'the ironcore objects carrying the Go finalizers were not cleaned up',
    async () => {
      const left: string[] = [];
      for (const k of world.keys) {
        const o = await h.ironcore.get<Obj>(IRONCORE[k.kind], k.namespace, k.name);
        if (o) left.push(`${k.kind} ${k.namespace}/${k.name} finalizers ${JSON.stringify(o.metadata.finalizers)}`);
      }
      for (const [id, o] of await apinetObjects()) {
        if (originKindsOf(o).some((kind) => o.metadata.labels?.[originKeysOf(kind).namespaceLabel] === NS)) left.push(`apinet ${id} still stems from ${NS}`);
      }
      return left;
    },
    90_000,
  );
  // The claimed apinet NIC (the machine pool's) stays, released.
  const anic = (await apinetObjects()).get(`NetworkInterface ${world.apinetNics[NS]}`);
  expect(anic?.metadata.uid).toBe(before.get(`NetworkInterface ${world.apinetNics[NS]}`)!.metadata.uid);
}, 360_000);
