/**
 * One scheduled resync run in a process of its own, as one Lambda invocation would run it, so its
 * peak RSS is the run's and not the seeding's: `drift-resync.ts` starts it once per mode after
 * seeding. Reads the servers' addresses from BENCH_SERVERS (resync-servers.ts' JSON line), prints
 * one JSON line: duration, requests, messages, live heap added at its peak (GC'd samples every
 * BENCH_HEAP_SAMPLE_MS, default 50) and the process' maxRSS.
 *
 * `BENCH_SERVERS='{…}' node --import tsx test/bench/resync-once.ts drift|full`
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { PrimaryKind } from '../../shared/api/resources.ts';
import { createKubeClient, loadKubeConfig } from '../../shared/kube/index.ts';
import { createSqsEnqueuer } from '../../shared/queue/enqueue.ts';
import { createSqsClient } from '../../shared/queue/sqs.ts';
import { runResync, type ResyncSummary } from '../../shared/resync/index.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const mode = process.argv[2];
if (mode !== 'drift' && mode !== 'full') {
  console.error('usage: BENCH_SERVERS=<json> node --import tsx test/bench/resync-once.ts drift|full');
  process.exit(2);
}
const servers = JSON.parse(process.env.BENCH_SERVERS ?? 'null') as { ironcore: string[]; apinet: string; endpoint: string; queues: Record<PrimaryKind, string> } | null;
if (!servers) {
  console.error('BENCH_SERVERS is not set: pass the JSON line test/bench/resync-servers.ts prints');
  process.exit(2);
}
const ic = createKubeClient(loadKubeConfig(servers.ironcore[0]!, 'ironcore'));
const an = createKubeClient(loadKubeConfig(servers.apinet, 'apinet'));
const enqueuer = createSqsEnqueuer({ client: createSqsClient({ endpoint: servers.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), queueUrls: servers.queues });

gc();
const base = process.memoryUsage().heapUsed;
const rssBefore = process.resourceUsage().maxRSS * 1024;
let peak = base;
const timer = setInterval(() => {
  gc();
  peak = Math.max(peak, process.memoryUsage().heapUsed);
}, Number(process.env.BENCH_HEAP_SAMPLE_MS ?? 50));
const started = performance.now();
let s: ResyncSummary;
try {
  s = await runResync({ ironcore: ic, apinet: an, enqueuer }, { apinetNamespace: process.env.BENCH_APINET_NAMESPACE ?? 'apinet', natAutoscaling: false, mode, phases: { migration: false } });
} finally {
  clearInterval(timer);
}
const ms = performance.now() - started;
console.log(
  JSON.stringify({
    mode,
    ms,
    addedHeapMB: (peak - base) / 1048576,
    rssBeforeMB: rssBefore / 1048576,
    peakRssMB: s.peakRssBytes / 1048576,
    messages: s.messages,
    requests: s.requests,
    listed: s.listed,
    drift: s.drift,
    errors: s.errors,
  }),
);
process.exit(0);
