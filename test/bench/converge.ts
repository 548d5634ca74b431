/**
 * Time from create to converged per kind (p50 and max) through the whole local stack: webhooks,
 * SQS FIFO queues, reconcile handlers, emulated clusters. Run: node --import tsx test/bench/converge.ts [sets]
 * (`sets` objects of every kind, default 50). Convergence means what infra/local/stack/converge.ts says.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { observe, type Clusters } from '../../infra/local/stack/converge.ts';
import { createIroncore, ensureNamespace, sampleNic, sampleObjects, simulateMachinePoolNic, type ObjectKey } from '../../infra/local/stack/demo.ts';
import { startStack } from '../../infra/local/stack/stack.ts';
import { PRIMARY_KINDS, type PrimaryKind } from '../../shared/api/resources.ts';
import { kindReconcilers } from '../../shared/reconcile/index.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const SETS = Number(process.argv[2] ?? 50);
const CONCURRENCY = 4;
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 180_000);
const jsonOut = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : undefined;

const dir = await mkdtemp(join(tmpdir(), 'apinetlet-bench-'));
// The emulator's default public pool (a /24, about 250 addresses) runs out at a few hundred sets.
const stack = await startStack({ dir, reconcilers: kindReconcilers, env: {}, logLevel: 'ERROR', publicPools: { IPv4: '100.64.0.0/12' } });
const c: Clusters = { ironcore: stack.users.ironcore, apinet: stack.users.apinet, apinetNamespace: stack.config.apinetNamespace };
const ns = 'bench';
await ensureNamespace(c, ns);

const created = new Map<string, { key: ObjectKey; at: number }>();
const converged = new Map<string, number>();
const id = (k: ObjectKey) => `${k.kind} ${k.namespace}/${k.name}`;

async function createSet(i: number): Promise<void> {
  const prefix = `b${i}`;
  let networkUid = '';
  for (const obj of sampleObjects(ns, prefix)) {
    const key = { kind: obj.kind as PrimaryKind, namespace: ns, name: obj.metadata.name! };
    const at = Date.now();
    const stored = await createIroncore(c, obj);
    created.set(id(key), { key, at });
    if (obj.kind === 'Network') networkUid = stored.metadata.uid!;
  }
  // SIM-06/07 happen before the ironcore NIC exists; its clock starts at its own create.
  const anic = await simulateMachinePoolNic(c, `${prefix}-${ns}-nic`, networkUid, '10.0.0.5', true);
  const key = { kind: 'NetworkInterface' as const, namespace: ns, name: `${prefix}-nic` };
  const at = Date.now();
  await createIroncore(c, sampleNic(ns, prefix, anic, c.apinetNamespace, '10.0.0.5'));
  created.set(id(key), { key, at });
}

let creating = true;
const poller = (async () => {
  const deadline = Date.now() + TIMEOUT_MS;
  while (Date.now() < deadline) {
    const pending = [...created.values()].filter((e) => !converged.has(id(e.key)));
    if (!creating && pending.length === 0) return;
    for (let i = 0; i < pending.length; i += 20) {
      const batch = pending.slice(i, i + 20);
      const seen = await Promise.all(batch.map((e) => observe(c, e.key.kind, e.key.namespace, e.key.name)));
      const now = Date.now();
      seen.forEach((p, j) => p.converged && converged.set(id(batch[j]!.key), now));
    }
    await new Promise((r) => setTimeout(r, 50));
  }
})();

stack.emulators!.ironcore.counters.reset();
stack.emulators!.apinet.counters.reset();
const started = Date.now();
let next = 0;
await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
  while (next < SETS) await createSet(next++);
}));
creating = false;
await poller;
const wall = Date.now() - started;
// Every request both emulators served (the functions', the benchmark's creates and its polling reads included).
const served = stack.emulators!.ironcore.counters.get() + stack.emulators!.apinet.counters.get();

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const rows: string[] = ['| kind | objects | converged | p50 (ms) | p99 (ms) | max (ms) |', '|---|---|---|---|---|---|'];
const all: { kind: string; ms: number }[] = [];
for (const kind of PRIMARY_KINDS) {
  const times = [...created.values()]
    .filter((e) => e.key.kind === kind && converged.has(id(e.key)))
    .map((e) => converged.get(id(e.key))! - e.at)
    .sort((a, b) => a - b);
  const total = [...created.values()].filter((e) => e.key.kind === kind).length;
  rows.push(`| ${kind} | ${total} | ${times.length} | ${pct(times, 50)} | ${pct(times, 99)} | ${times.at(-1) ?? NaN} |`);
  all.push(...times.map((ms) => ({ kind, ms })));
}
const allMs = all.map((e) => e.ms).sort((a, b) => a - b);
rows.push(`| all | ${created.size} | ${allMs.length} | ${pct(allMs, 50)} | ${pct(allMs, 99)} | ${allMs.at(-1) ?? NaN} |`);
console.log(rows.join('\n'));
console.log(`requests served by both emulators during the run: ${served} (${(served / created.size).toFixed(1)} per object, the benchmark's own creates and polling reads included)`);
if (jsonOut) await (await import('node:fs/promises')).writeFile(jsonOut, JSON.stringify({ objects: created.size, wallMs: wall, served, times: all }));
console.log(`\n${created.size} objects, wall time ${(wall / 1000).toFixed(1)} s, creating ${CONCURRENCY} sets at a time; reconcile batches per kind ${JSON.stringify(stack.pollers.batches)}`);
await stack.stop();
await rm(dir, { recursive: true, force: true });
