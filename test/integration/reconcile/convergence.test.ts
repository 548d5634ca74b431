/**
 * Convergence under chaos (ARCHITECTURE.md 2–3, behavior.md 3.1): a world of all six kinds is
 * driven through the real FIFO queues (fauxqs) and the real Lambda handlers while both emulated
 * clusters answer a share of requests with 500/409/429 or slowly, every key arrives three times,
 * shuffled, with mixed ops. Whatever the order, the world converges; after deleting it, no
 * finalizer and no apinet object with apinetlet origin keys is left; a key that can never succeed
 * ends in the DLQ after 5 receives without holding up the others; a no-op pass writes nothing but
 * server-side applies.
 */
import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../../infra/local/emulator/faults.ts';
import { apinet, ironcore, PRIMARY_KINDS, type PrimaryKind } from '../../../shared/api/resources.ts';
import type { KubeObject } from '../../../shared/kube/types.ts';
import { createReconcileHandler, type SqsBatchHandler } from '../../../shared/queue/consumer.ts';
import { deliverOnce } from '../../../shared/queue/delivery.ts';
import { parseQueueMessage, type QueueMessage } from '../../../shared/queue/message.ts';
import { kindReconcilers } from '../../../shared/reconcile/index.ts';
import { reconcilerFor } from '../../../shared/reconcile/runtime.ts';
import { APINET_NAMESPACE, startHarness, type Harness } from '../harness.ts';
import { apinetOriginLeftovers, APINET_KINDS, buildWorld, chaosMessages, convergenceProblems, ironcoreLeftovers, playAutoscaler, seededRandom, type World, type WorldKey } from './world.ts';

const silent = new Logger({ logLevel: 'SILENT' });
const metrics = new Metrics({ namespace: 'apinetlet-test' });
/** Retries after 1 s (no jitter) so that 5 receives take seconds, not the production 1+2+4+8. */
const FAST_BACKOFF = { baseSeconds: 1, capSeconds: 1, jitter: 0 };

/** Roughly a quarter of reads and writes fail or stall, on both clusters. */
const CHAOS: FaultRule[] = [
  { verb: 'get', status: 500, fraction: 0.08 },
  { verb: 'get', status: 429, fraction: 0.04 },
  { verb: 'list', status: 500, fraction: 0.08 },
  { verb: 'patch', status: 500, fraction: 0.1 },
  { verb: 'patch', status: 409, fraction: 0.06 },
  { verb: 'patch', status: 429, fraction: 0.04 },
  { verb: 'delete', status: 500, fraction: 0.1 },
  { delayMs: 40, fraction: 0.15 },
];

let h: Harness;
let world: World;
const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
const random = seededRandom(seed);
/** Every reconcile the handlers ran: key → receive counts seen. */
const seen = new Map<string, number[]>();
/** Reconciles that threw (injected faults surface here): proves the chaos was real. */
let failures = 0;

beforeAll(async () => {
  h = await startHarness();
  console.info(`[convergence] seed ${seed} (CHAOS_SEED=${seed} replays the message order)`);
}, 60_000);
afterAll(async () => h?.stop());

const handlers = new Map<PrimaryKind, SqsBatchHandler>();
function handlerOf(kind: PrimaryKind): SqsBatchHandler {
  let handler = handlers.get(kind);
  if (!handler) {
    const inner = reconcilerFor(kindReconcilers[kind], h.env, metrics);
    handler = createReconcileHandler({
      kind,
      reconcile: (msg, ctx) => {
        const key = `${msg.kind} ${msg.namespace}/${msg.name}`;
        seen.set(key, [...(seen.get(key) ?? []), ctx.receiveCount]);
        return inner(msg, ctx).catch((err: unknown) => {
          failures++;
          throw err;
        });
      },
      sqs: h.sqsApi,
      queueUrl: h.sqs.queues[kind],
      logger: silent,
      metrics,
      backoff: FAST_BACKOFF,
      random: () => 0.5,
    });
    handlers.set(kind, handler);
  }
  return handler;
}

async function inQueue(url: string): Promise<number> {
  const out = await h.sqsClient.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** Delivers all six queues to their handlers in parallel until each is empty or `deadline` passes; returns what is left. */
async function drainAll(deadline: number, kinds: readonly PrimaryKind[] = PRIMARY_KINDS): Promise<number> {
  const left = await Promise.all(
    kinds.map(async (kind) => {
      const url = h.sqs.queues[kind];
      while (Date.now() < deadline) {
        const r = await deliverOnce({ sqs: h.sqsApi, queueUrl: url, handler: handlerOf(kind) });
        if (r.received === 0) {
          if ((await inQueue(url)) === 0) return 0;
          await new Promise((res) => setTimeout(res, 100));
        }
      }
      return inQueue(url);
    }),
  );
  return left.reduce((a, b) => a + b, 0);
}

/** Turns the chaos on for both clusters while `fn` runs (the test's own reads and writes stay clean). */
async function withChaos<T>(fn: () => Promise<T>): Promise<T> {
  const off = [h.ironcoreEmulator, h.apinetEmulator].flatMap((e) => CHAOS.map((rule) => e.faults.inject(rule)));
  try {
    return await fn();
  } finally {
    for (const clear of off) clear();
  }
}

/** One resync-like message per key (never dropped as a duplicate). */
const resync = (keys: WorldKey[]): QueueMessage[] => keys.map((k) => ({ v: 1, kind: k.kind, namespace: k.namespace, name: k.name, source: 'resync', run: randomUUID() }));

/** Every object of both clusters that could change: `<cluster> <kind> <ns>/<name>` → resourceVersion. */
async function versions(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const ironcoreKinds = [ironcore.Network, ironcore.VirtualIP, ironcore.NATGateway, ironcore.LoadBalancer, ironcore.NetworkPolicy, ironcore.NetworkInterface];
  for (const ns of world.namespaces) {
    for (const res of ironcoreKinds) for await (const o of h.ironcore.listAll(res, { namespace: ns })) out[`ironcore ${res.kind} ${ns}/${o.metadata.name}`] = o.metadata.resourceVersion!;
  }
  for (const res of APINET_KINDS) for await (const o of h.apinet.listAll(res, { namespace: APINET_NAMESPACE })) out[`apinet ${res.kind} ${o.metadata.name}`] = o.metadata.resourceVersion!;
  return out;
}

const report = (title: string, lines: string[]) => (lines.length ? `${title}:\n  ${lines.join('\n  ')}` : '');

describe('convergence under faults, duplicates and reordering', () => {
  it('R-GEN-01 world: every key of all six kinds converges despite 500/409/429, delays, triplicates and shuffling', async () => {
    world = await buildWorld(h, ['chaos-a', 'chaos-b', 'chaos-c']);
    const deadline = Date.now() + 40_000;
    await h.enqueuer.enqueue(chaosMessages(world.keys, random, ['CREATE', 'UPDATE', undefined]));
    let problems: string[] = ['not driven yet'];
    let rounds = 0;
    failures = 0;
    while (Date.now() < deadline) {
      rounds++;
      const left = await withChaos(() => drainAll(deadline));
      await playAutoscaler(h, world); // SIM-08, between rounds as the real autoscaler would
      problems = await convergenceProblems(h, world);
      if (problems.length === 0 && left === 0) break;
      // What is not converged yet (dead-lettered after 5 failures, or waiting on another kind) comes back with the next resync.
      await h.enqueuer.enqueue(resync(world.keys));
    }
    console.info(`[convergence] converged after ${rounds} round(s); reconciles: ${[...seen.values()].reduce((n, v) => n + v.length, 0)}, failed: ${failures}`);
    expect(report('not converged', problems)).toBe('');
    expect(failures, 'the injected faults made some reconciles fail').toBeGreaterThan(0);

    // A final fault-free pass changes nothing.
    const before = await versions();
    await h.enqueuer.enqueue(resync(world.keys));
    expect(await drainAll(Date.now() + 15_000)).toBe(0);
    expect(report('not converged after a fault-free pass', await convergenceProblems(h, world))).toBe('');
    expect(await versions()).toEqual(before);
  }, 60_000);

  it('no-op pass over the converged world: zero writes, not even server-side applies', async () => {
    expect(world, 'needs the converged world of the previous test').toBeDefined();
    const before = await versions();
    h.ironcoreEmulator.counters.reset();
    h.apinetEmulator.counters.reset();
    h.env.ironcore.takeApiCallCounts();
    h.env.apinet.takeApiCallCounts();
    await h.enqueuer.enqueue(chaosMessages(world.keys, random, [undefined]));
    expect(await drainAll(Date.now() + 15_000)).toBe(0);
    const writes = (c: typeof h.ironcoreEmulator.counters) => ['create', 'update', 'patch', 'delete', 'deletecollection'].reduce((n, v) => n + c.get(v), 0);
    const applies = (calls: Record<string, number>) => Object.entries(calls).reduce((n, [k, v]) => n + (k.startsWith('apply ') ? v : 0), 0);
    const ironcoreApplies = applies(h.env.ironcore.takeApiCallCounts());
    const apinetCalls = h.env.apinet.takeApiCallCounts();
    const apinetApplies = applies(apinetCalls);
    const detail = JSON.stringify({ ironcore: h.ironcoreEmulator.counters.snapshot(), apinet: h.apinetEmulator.counters.snapshot() });
    expect(writes(h.ironcoreEmulator.counters) - ironcoreApplies, `ironcore non-apply writes; calls ${detail}`).toBe(0);
    expect(writes(h.apinetEmulator.counters) - apinetApplies, `apinet non-apply writes; calls ${detail}`).toBe(0);
    // issue 12: every apply is skipped (the objects already carry it under our manager): no write at all, on both tiers.
    expect(apinetApplies, `apinet applies; calls ${detail}`).toBe(0);
    expect(writes(h.apinetEmulator.counters), `apinet writes; calls ${detail}`).toBe(0);
    expect(h.apinetEmulator.counters.get('get')).toBeGreaterThan(0); // the pass did run the reconciles
    expect(await versions()).toEqual(before);
  }, 30_000);

  it('R-GEN-02, R-NET-11, R-LB-08, R-NATGW-04, R-NP-03, R-VIP-03, R-NIC-09: deleting the world under faults leaves no finalizer and no orphaned apinet object', async () => {
    expect(world, 'needs the converged world of the first test').toBeDefined();
    const uids = new Map<string, string>();
    for (const k of world.keys) {
      const res = { Network: ironcore.Network, VirtualIP: ironcore.VirtualIP, NATGateway: ironcore.NATGateway, LoadBalancer: ironcore.LoadBalancer, NetworkPolicy: ironcore.NetworkPolicy, NetworkInterface: ironcore.NetworkInterface }[k.kind];
      const o = await h.ironcore.get(res, k.namespace, k.name);
      uids.set(`${k.kind} ${k.namespace}/${k.name}`, o!.metadata.uid!);
      await h.ironcore.delete(res, k.namespace, k.name);
    }
    const msgs = chaosMessages(world.keys, random, ['DELETE', undefined]).map((m) => (m.op === 'DELETE' ? { ...m, uid: uids.get(`${m.kind} ${m.namespace}/${m.name}`)! } : m));
    await h.enqueuer.enqueue(msgs);
    const deadline = Date.now() + 30_000;
    let left: string[] = ['not driven yet'];
    failures = 0;
    while (Date.now() < deadline) {
      const queued = await withChaos(() => drainAll(deadline));
      left = [...(await ironcoreLeftovers(h, world)), ...(await apinetOriginLeftovers(h))];
      if (left.length === 0 && queued === 0) break;
      await h.enqueuer.enqueue(resync(world.keys));
    }
    expect(report('left behind after deletion', left)).toBe('');
    expect(failures, 'the injected faults made some reconciles fail').toBeGreaterThan(0);
    // R-NIC-09: the apinet NICs are released, not deleted: no origin keys (checked above), no public IPs.
    for (const ns of world.namespaces) {
      const anic = await h.apinet.get<KubeObject & { spec?: { publicIPs?: unknown[] } }>(apinet.NetworkInterface, APINET_NAMESPACE, world.apinetNics[ns]!);
      expect(anic, `apinet NIC ${world.apinetNics[ns]}`).toBeDefined();
      expect(anic!.spec?.publicIPs ?? []).toEqual([]);
    }
  }, 45_000);

  it('a poison key lands in the NetworkPolicy DLQ after 5 receives while the other keys converge', async () => {
    const ns = 'poison';
    await h.namespace(ns);
    const V = 'networking.ironcore.dev/v1alpha1';
    await h.ironcore.apply(ironcore.Network, { apiVersion: V, kind: 'Network', metadata: { name: 'net', namespace: ns }, spec: {} }, { fieldManager: 'test' });
    const policy = (name: string, from: unknown[]) =>
      h.ironcore.apply(ironcore.NetworkPolicy, { apiVersion: V, kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec: { networkRef: { name: 'net' }, policyTypes: ['Ingress'], ingress: [{ from }] } }, { fieldManager: 'test' });
    // R-NP-06: an object selector of kind VirtualIP fails every reconcile ("unsupported object kind").
    await policy('np-poison', [{ objectSelector: { kind: 'VirtualIP', matchLabels: { a: 'b' } } }]);
    const good = ['np-good-1', 'np-good-2', 'np-good-3'];
    for (const name of good) await policy(name, [{ ipBlock: { cidr: '10.0.0.0/8' } }]);
    await h.enqueuer.enqueue(resync([{ kind: 'Network', namespace: ns, name: 'net' }]));
    expect(await drainAll(Date.now() + 10_000, ['Network'])).toBe(0);
    // Poison first and twice over: the other keys' groups must not wait behind it.
    await h.enqueuer.enqueue(resync(['np-poison', 'np-poison', ...good].map((name) => ({ kind: 'NetworkPolicy' as const, namespace: ns, name }))));
    expect(await drainAll(Date.now() + 20_000, ['NetworkPolicy'])).toBe(0);

    for (const name of good) {
      const np = (await h.ironcore.get(ironcore.NetworkPolicy, ns, name))!;
      expect(await h.apinet.get(apinet.NetworkPolicyRule, APINET_NAMESPACE, np.metadata.uid!), `rule of ${ns}/${name}`).toBeDefined();
    }
    // The first poison message was received exactly 5 times (maxReceiveCount) before the redrive.
    const counts = seen.get(`NetworkPolicy ${ns}/np-poison`) ?? [];
    expect(counts.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    const dlq = h.sqs.deadLetterQueues.NetworkPolicy!;
    const dead: QueueMessage[] = [];
    for (;;) {
      const out = await h.sqsClient.send(new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
      if (!out.Messages?.length) break;
      for (const m of out.Messages) {
        const parsed = parseQueueMessage(m.Body ?? '');
        if (parsed.ok) dead.push(parsed.message);
      }
    }
    const deadKeys = dead.filter((m) => m.namespace === ns).map((m) => m.name);
    expect(deadKeys.length).toBeGreaterThan(0);
    expect(new Set(deadKeys)).toEqual(new Set(['np-poison']));
  }, 40_000);
});
