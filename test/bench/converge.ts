/**
 * Time from create to converged per kind (p50 and max) through the whole local stack: webhooks,
 * SQS FIFO queues, reconcile handlers, emulated clusters. Run: node --import tsx test/bench/converge.ts [sets]
 * (`sets` objects of every kind, default 50). Convergence means what infra/local/stack/converge.ts says.
 * The poller's deadline (BENCH_TIMEOUT_MS, default 180 s) counts from the end of the creation, so a
 * slow creation phase does not cut the observation short.
 *
 * Then the lost-event repair at this scale: with the reconcilers paused, six objects of one set are
 * changed behind the functions' back (their webhook messages dropped), one drift-only resync runs,
 * and the bench reports what it listed and sent, which keys it enqueued, how long until those keys
 * converged again, and what a second drift run finds (nothing, if the first repaired everything).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { observe, type Clusters } from '../../infra/local/stack/converge.ts';
import { createIroncore, ensureNamespace, sampleNic, sampleObjects, simulateMachinePoolNic, type ObjectKey } from '../../infra/local/stack/demo.ts';
import { startStack } from '../../infra/local/stack/stack.ts';
import { apinet, ironcore, PRIMARY_KINDS, type PrimaryKind } from '../../shared/api/resources.ts';
import { kindReconcilers } from '../../shared/reconcile/index.ts';
import { takeAll } from '../integration/resync/helpers.ts';

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

let createRetries = 0;
/**
 * A create the server refused for a passing reason (its admission webhook not answering within its
 * 5 s timeout on the overloaded machine, a reset connection) is sent again, as a user would; each
 * retry is counted and reported.
 */
async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err as { retryable?: boolean }).retryable || attempt >= 5) throw err;
      createRetries++;
      await new Promise((r) => setTimeout(r, 1_000 * attempt));
    }
  }
}

async function createSet(i: number): Promise<void> {
  const prefix = `b${i}`;
  let networkUid = '';
  for (const obj of sampleObjects(ns, prefix)) {
    const key = { kind: obj.kind as PrimaryKind, namespace: ns, name: obj.metadata.name! };
    const at = Date.now();
    const stored = await withRetry(() => createIroncore(c, obj));
    created.set(id(key), { key, at });
    if (obj.kind === 'Network') networkUid = stored.metadata.uid!;
  }
  // SIM-06/07 happen before the ironcore NIC exists; its clock starts at its own create.
  const anic = await withRetry(() => simulateMachinePoolNic(c, `${prefix}-${ns}-nic`, networkUid, '10.0.0.5', true));
  const key = { kind: 'NetworkInterface' as const, namespace: ns, name: `${prefix}-nic` };
  const at = Date.now();
  await withRetry(() => createIroncore(c, sampleNic(ns, prefix, anic, c.apinetNamespace, '10.0.0.5')));
  created.set(id(key), { key, at });
}

let creating = true;
let createdAt = 0;
const poller = (async () => {
  while (creating || Date.now() < createdAt + TIMEOUT_MS) {
    const pending = [...created.values()].filter((e) => !converged.has(id(e.key)));
    if (!creating && pending.length === 0) return;
    for (let i = 0; i < pending.length; i += 20) {
      const batch = pending.slice(i, i + 20);
      // A read that fails under load counts as not converged yet; the next poll reads it again.
      const seen = await Promise.all(batch.map((e) => observe(c, e.key.kind, e.key.namespace, e.key.name).catch(() => ({ converged: false }))));
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
createdAt = Date.now();
creating = false;
await poller;
const wall = Date.now() - started;
const creationMs = createdAt - started;
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
console.log(`\n${created.size} objects, wall time ${(wall / 1000).toFixed(1)} s (creation ${(creationMs / 1000).toFixed(1)} s), creating ${CONCURRENCY} sets at a time (${createRetries} creates retried); reconcile batches per kind ${JSON.stringify(stack.pollers.batches)}`);

// Lost events at this scale, repaired by one drift run.
const sqs = new SQSClient({ endpoint: stack.info.sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const drain = async () => (await takeAll(sqs, stack.info.sqs.queues)).length;
const counted = () => {
  const all = { ...prefixed('ironcore', stack.emulators!.ironcore.counters.snapshot()), ...prefixed('apinet', stack.emulators!.apinet.counters.snapshot()) };
  const lists = Object.entries(all).filter(([k]) => k.includes(' list ')).reduce((a, [, n]) => a + n, 0);
  const total = Object.values(all).reduce((a, b) => a + b, 0);
  return { lists, others: total - lists, maxPerList: Math.max(0, ...Object.entries(all).filter(([k]) => k.includes(' list ')).map(([, n]) => n)), byResource: all };
};
function prefixed(cluster: string, snap: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(snap).map(([k, n]) => [`${cluster} ${k}`, n]));
}
// The first scheduled runs after a burst size the new NAT gateways (NAT_AUTOSCALING, as deployed)
// and send their keys; repeat until a run finds nothing, so the lost events below are all there is.
const warmup: { messages: number; scaled: number }[] = [];
for (let i = 0; i < 10; i++) {
  const w = await stack.resyncNow('drift');
  warmup.push({ messages: w.messages, scaled: w.nat.scaled.length });
  if (w.messages === 0 && w.nat.scaled.length === 0) break;
  await new Promise((r) => setTimeout(r, 5_000));
}
console.log(`warm-up drift runs (NAT gateways sized, their keys sent): ${JSON.stringify(warmup)}`);
const victim = `b${Math.floor(SETS / 2)}`;
const ANS = c.apinetNamespace;
const uidOf = async (kind: PrimaryKind, name: string) => (await c.ironcore.get(ironcore[kind], ns, name))!.metadata.uid!;
await stack.pauseReconcilers();
const lost = [
  // the VirtualIP's apinet IP deleted,
  { kind: 'VirtualIP' as const, name: `${victim}-vip`, change: async () => c.apinet.delete(apinet.IP, ANS, await uidOf('VirtualIP', `${victim}-vip`)) },
  // the LB's apinet routing deleted,
  { kind: 'LoadBalancer' as const, name: `${victim}-lb`, change: async () => c.apinet.delete(apinet.LoadBalancerRouting, ANS, await uidOf('LoadBalancer', `${victim}-lb`)) },
  // the apinet NetworkPolicy's priority changed by someone else,
  { kind: 'NetworkPolicy' as const, name: `${victim}-np`, change: async () => c.apinet.mergePatch(apinet.NetworkPolicy, ANS, await uidOf('NetworkPolicy', `${victim}-np`), { spec: { priority: 5 } }, { fieldManager: 'intruder' }) },
  // the ironcore statuses of the NAT gateway, the NIC and the Network overwritten.
  { kind: 'NATGateway' as const, name: `${victim}-natgw`, change: () => c.ironcore.mergePatch(ironcore.NATGateway, ns, `${victim}-natgw`, { status: { ips: ['203.0.113.8'] } }, { subresource: 'status' }) },
  { kind: 'NetworkInterface' as const, name: `${victim}-nic`, change: () => c.ironcore.mergePatch(ironcore.NetworkInterface, ns, `${victim}-nic`, { status: { state: 'Pending' } }, { subresource: 'status' }) },
  { kind: 'Network' as const, name: `${victim}-net`, change: () => c.ironcore.mergePatch(ironcore.Network, ns, `${victim}-net`, { status: { state: 'Pending' } }, { subresource: 'status' }) },
];
for (const l of lost) await l.change();
await new Promise((r) => setTimeout(r, 500)); // the webhooks' messages of these writes, then dropped
const dropped = await drain();
stack.emulators!.ironcore.counters.reset();
stack.emulators!.apinet.counters.reset();
const repairStart = Date.now();
const first = await stack.resyncNow('drift');
const firstCounts = counted();
stack.resumeReconcilers();
const pendingRepair = new Set(lost.map((l) => `${l.kind} ${ns}/${l.name}`));
const repairDeadline = Date.now() + 120_000;
while (pendingRepair.size && Date.now() < repairDeadline) {
  for (const l of lost) if (pendingRepair.has(`${l.kind} ${ns}/${l.name}`) && (await observe(c, l.kind, ns, l.name)).converged) pendingRepair.delete(`${l.kind} ${ns}/${l.name}`);
  await new Promise((r) => setTimeout(r, 50));
}
const repairMs = Date.now() - repairStart;
await new Promise((r) => setTimeout(r, 2_000)); // let the repairs' own watch events settle
await drain();
stack.emulators!.ironcore.counters.reset();
stack.emulators!.apinet.counters.reset();
const second = await stack.resyncNow('drift');
const secondCounts = counted();
const driftLine = (s: typeof first) => Object.entries(s.drift).flatMap(([k, v]) => Object.entries(v as Record<string, number>).map(([why, n]) => `${k} ${why} ${n}`)).join(', ') || '—';
const repair = {
  victimSet: victim,
  droppedMessages: dropped,
  first: { durationMs: first.durationMs, messages: first.messages, lists: firstCounts.lists, otherRequests: firstCounts.others, maxPerList: firstCounts.maxPerList, drift: first.drift, errors: first.errors },
  convergedAgainMs: pendingRepair.size ? null : repairMs,
  notConverged: [...pendingRepair],
  second: { durationMs: second.durationMs, messages: second.messages, lists: secondCounts.lists, otherRequests: secondCounts.others, drift: second.drift, errors: second.errors },
};
console.log(`\nlost events: 6 objects of set ${victim} changed behind the functions' back (${dropped} webhook messages dropped)`);
console.log('| drift run | duration (s) | LISTs (max per resource) | other requests | messages | keys in drift |');
console.log('|---|---:|---:|---:|---:|---|');
console.log(`| after the lost events | ${(first.durationMs / 1000).toFixed(2)} | ${firstCounts.lists} (${firstCounts.maxPerList}) | ${firstCounts.others} | ${first.messages} | ${driftLine(first)} |`);
console.log(`| next run | ${(second.durationMs / 1000).toFixed(2)} | ${secondCounts.lists} (${secondCounts.maxPerList}) | ${secondCounts.others} | ${second.messages} | ${driftLine(second)} |`);
if (process.env.BENCH_DEBUG) console.log(JSON.stringify({ first: firstCounts.byResource, second: secondCounts.byResource, drift: first.drift }));
console.log(pendingRepair.size ? `NOT converged within 120 s of the first run: ${[...pendingRepair].join(', ')}` : `the six keys converged again ${(repairMs / 1000).toFixed(2)} s after the first drift run started`);
if (first.errors.length || second.errors.length) console.log(`resync errors: ${[...first.errors, ...second.errors].join('; ')}`);
if (jsonOut) await (await import('node:fs/promises')).writeFile(jsonOut, JSON.stringify({ objects: created.size, wallMs: wall, creationMs, createRetries, served, times: all, warmup, repair }));
sqs.destroy();
await stack.stop();
await rm(dir, { recursive: true, force: true });
