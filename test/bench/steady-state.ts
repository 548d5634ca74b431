/**
 * Steady-state cost (issue 12): N converged VirtualIPs + Networks on the local stack (emulated
 * clusters, fauxqs), then one every-key resync ("before") and one drift-only resync ("after") in the
 * same run, each followed by the reconciles it causes until the queues are empty. Requests are
 * counted at the emulators, messages by the resync. Per object per hour at the default schedules:
 * before = 12 full runs; after = 12 drift runs + 0.1 full run (10 h safety net).
 *
 *   node --import tsx test/bench/steady-state.ts 1000 [--markdown]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startStack } from '../../infra/local/stack/stack.ts';
import { core, ironcore } from '../../shared/api/resources.ts';
import { kindReconcilers } from '../../shared/reconcile/index.ts';

const n = Number(process.argv[2] ?? 1000);
const dir = await mkdtemp(join(tmpdir(), 'apinetlet-steady-'));
const stack = await startStack({
  dir,
  reconcilers: kindReconcilers,
  env: { APINET_NAMESPACE: 'apinet', NAT_AUTOSCALING: 'false', APINETLET_RESYNC_INTERVAL: '86400', APINETLET_FULL_RESYNC_INTERVAL: '86400' },
  logLevel: 'SILENT',
  // The emulator's default public pool (a /24) holds about 250 addresses: at 1,000 objects (900 VirtualIPs)
  // most VIPs could never get one, kept failing and retrying, and the setup never went quiet.
  publicPools: { IPv4: '100.64.0.0/12' },
});
const sqs = new SQSClient({ endpoint: stack.info.sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const ic = stack.users.ironcore;
const api = 'networking.ironcore.dev/v1alpha1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function queued(): Promise<number> {
  let total = 0;
  for (const url of Object.values(stack.info.sqs.queues)) {
    const r = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    total += Number(r.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(r.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  }
  return total;
}
const requests = () => stack.emulators!.ironcore.counters.get() + stack.emulators!.apinet.counters.get();
async function quiet(): Promise<void> {
  let last = -1;
  for (;;) {
    const q = await queued();
    const r = requests();
    if (q === 0 && r === last) return;
    last = r;
    await sleep(500);
  }
}

const t0 = Date.now();
await ic.apply(core.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'steady' } }, { fieldManager: 'bench' });
const nets = Math.max(1, Math.round(n / 10));
for (let i = 0; i < n; i += 20) {
  await Promise.all(
    Array.from({ length: Math.min(20, n - i) }, (_, j) => {
      const k = i + j;
      return k < nets
        ? ic.apply(ironcore.Network, { apiVersion: api, kind: 'Network', metadata: { namespace: 'steady', name: `net-${k}` }, spec: {} }, { fieldManager: 'bench' })
        : ic.apply(ironcore.VirtualIP, { apiVersion: api, kind: 'VirtualIP', metadata: { namespace: 'steady', name: `vip-${k}` }, spec: { type: 'Public', ipFamily: 'IPv4' } }, { fieldManager: 'bench' });
    }),
  );
}
await quiet();
const setupS = (Date.now() - t0) / 1000;

async function measure(mode: 'full' | 'drift') {
  stack.emulators!.ironcore.counters.reset();
  stack.emulators!.apinet.counters.reset();
  const start = Date.now();
  const s = await stack.resyncNow(mode);
  const resyncRequests = requests();
  await quiet();
  return { mode, messages: s.messages, resyncRequests, total: requests(), resyncMs: s.durationMs, untilQuietMs: Date.now() - start, rss: s.peakRssBytes };
}
const full = await measure('full');
const drift = await measure('drift');
await stack.stop();
await rm(dir, { recursive: true, force: true });

const perObjHour = (reqs: number, runsPerHour: number) => (reqs * runsPerHour) / n;
const before = { req: perObjHour(full.total, 12), msg: perObjHour(full.messages, 12) };
const after = { req: perObjHour(drift.total, 12) + perObjHour(full.total, 0.1), msg: perObjHour(drift.messages, 12) + perObjHour(full.messages, 0.1) };
const machine = `${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}`;
const f = (x: number) => (x >= 10 ? x.toFixed(1) : x.toFixed(3));
console.log(`
### At rest: ${n} converged objects (${nets} Networks, ${n - nets} VirtualIPs)

Command: \`node --import tsx test/bench/steady-state.ts ${n}\` — machine: ${machine}; setup (create + converge) ${setupS.toFixed(0)} s.

| one run | requests (both clusters, run + its reconciles) | of which by the resync | SQS messages | resync ms | until quiet ms |
|---|---:|---:|---:|---:|---:|
| every-key (before) | ${full.total} | ${full.resyncRequests} | ${full.messages} | ${full.resyncMs} | ${full.untilQuietMs} |
| drift-only (after) | ${drift.total} | ${drift.resyncRequests} | ${drift.messages} | ${drift.resyncMs} | ${drift.untilQuietMs} |

| per object per hour (resync every 300 s; after: + full every 10 h) | API requests | SQS messages |
|---|---:|---:|
| before | ${f(before.req)} | ${f(before.msg)} |
| after | ${f(after.req)} | ${f(after.msg)} |
`);
process.exit(0);
