/**
 * Resync of 1k / 5k / 10k ironcore objects against the emulator and fauxqs (servers in a child
 * process): duration and the heap the resync adds at its peak (process.memoryUsage sampled every
 * 5 ms), to show memory stays flat as the object count grows (ARCHITECTURE.md 6).
 * `npm run bench -- test/bench/resync.bench.ts`; results in README.md, "Measured".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import { core, ironcore as ironcoreRes, PRIMARY_KINDS, type PrimaryKind } from '../../shared/api/resources.ts';
import { createKubeClient, loadKubeConfig, type KubeClient } from '../../shared/kube/index.ts';
import { createSqsEnqueuer } from '../../shared/queue/enqueue.ts';
import { createSqsClient } from '../../shared/queue/sqs.ts';
import { runResync, type ResyncSummary } from '../../shared/resync/index.ts';
import { forEachBounded } from '../../shared/resync/pool.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const SIZES = [1_000, 5_000, 10_000];
// A forced GC before each heap sample, so the numbers are live memory, not garbage not yet collected.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const NAMESPACES = 10;

interface Servers { ironcore: string[]; apinet: string; endpoint: string; queues: Record<PrimaryKind, string> }
let child: ChildProcess;
let servers: Servers;
let sqs: SQSClient;
let apinet: KubeClient;
const clusters: KubeClient[] = [];
const results: { objects: number; ms: number; baseHeapMB: number; peakHeapMB: number; addedMB: number; enqueued: number; samples: number }[] = [];

async function populate(client: KubeClient, n: number): Promise<void> {
  for (let i = 0; i < NAMESPACES; i++) await client.apply(core.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${i}` } }, { fieldManager: 'bench' });
  // Networks and VirtualIPs (no cross-references needed), spread over namespaces.
  await forEachBounded(Array.from({ length: n }, (_, i) => i), 16, async (i) => {
    const kind = i % 2 ? 'VirtualIP' : 'Network';
    const spec = kind === 'VirtualIP' ? { type: 'Public', ipFamily: 'IPv4' } : {};
    await client.apply(ironcoreRes[kind], { apiVersion: 'networking.ironcore.dev/v1alpha1', kind, metadata: { namespace: `ns-${i % NAMESPACES}`, name: `o-${i}` }, spec }, { fieldManager: 'bench' });
  });
}

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', new URL('./resync-servers.ts', import.meta.url).pathname, String(SIZES.length)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`benchmark servers exited with ${code} before they were ready`)));
  });
  servers = JSON.parse(line) as Servers;
  sqs = new SQSClient({ endpoint: servers.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  apinet = createKubeClient(loadKubeConfig(servers.apinet, 'apinet'));
  for (const kc of servers.ironcore) clusters.push(createKubeClient(loadKubeConfig(kc, 'ironcore')));
  for (let s = 0; s < SIZES.length; s++) await populate(clusters[s], SIZES[s]);
}, 600_000);

afterAll(() => {
  child?.kill('SIGTERM');
  sqs?.destroy();
  console.log('\n| objects | duration (s) | live heap before (MB) | peak live heap (MB) | added at peak (MB) | keys enqueued | heap samples |\n|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) console.log(`| ${r.objects} | ${(r.ms / 1000).toFixed(2)} | ${r.baseHeapMB.toFixed(1)} | ${r.peakHeapMB.toFixed(1)} | ${r.addedMB.toFixed(1)} | ${r.enqueued} | ${r.samples} |`);
});

async function resyncOnce(index: number, sampleHeap: boolean) {
  await Promise.all(PRIMARY_KINDS.map((k) => sqs.send(new PurgeQueueCommand({ QueueUrl: servers.queues[k] }))));
  const enqueuer = createSqsEnqueuer({ client: createSqsClient({ endpoint: servers.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), queueUrls: servers.queues });
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  let samples = 0;
  const sample = () => {
    gc();
    samples++;
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  };
  const timer = sampleHeap ? setInterval(sample, 50) : undefined;
  const started = performance.now();
  let summary: ResyncSummary;
  try {
    summary = await runResync({ ironcore: clusters[index], apinet, enqueuer }, { apinetNamespace: 'apinet', natAutoscaling: false });
  } finally {
    clearInterval(timer);
  }
  const ms = performance.now() - started;
  const enqueued = Object.values(summary.enqueued).reduce((a, b) => a + b, 0);
  if (enqueued !== SIZES[index]) throw new Error(`resync of ${SIZES[index]} objects enqueued ${enqueued} keys; errors: ${summary.errors.join('; ')}`);
  return { ms, base, peak, samples, enqueued };
}

/** One run with GC'd heap samples every 50 ms (memory), one without (duration: the sampling slows it). */
async function measuredResync(index: number): Promise<void> {
  const mem = await resyncOnce(index, true);
  const timed = await resyncOnce(index, false);
  const mb = (b: number) => b / 1024 / 1024;
  results.push({ objects: SIZES[index], ms: timed.ms, baseHeapMB: mb(mem.base), peakHeapMB: mb(mem.peak), addedMB: mb(mem.peak - mem.base), enqueued: timed.enqueued, samples: mem.samples });
}

describe('resync (full resync + orphan sweep)', () => {
  const once = { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 };
  SIZES.forEach((n, i) => bench(`${n} objects`, () => measuredResync(i), once));
});
