/**
 * Admission webhook latency under concurrent load: autocannon against POST /validate on loopback for
 * 30 s (BENCH_SECONDS), 32 connections, each request a real AdmissionReview (UPDATE of a Network) whose
 * key is enqueued to a real SQS-protocol server (fauxqs) — the same work the deployed function does.
 *
 *   npx tsx test/bench/admission-latency.ts
 *
 * Plain HTTP on loopback: this measures the app and its enqueue, not TLS. fauxqs runs in a child
 * process (test/bench/sqs-server.ts); autocannon runs in this process beside the app, so the numbers
 * include the load generator's share of the event loop (an upper bound for the app alone).
 */
import { serve } from '@hono/node-server';
import autocannon from 'autocannon';
import type { AddressInfo } from 'node:net';
import { createAdmissionApp } from '../../shared/admission/app.ts';
import { createSqsEnqueuer } from '../../shared/queue/enqueue.ts';
import { createSqsClient } from '../../shared/queue/sqs.ts';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { review } from './admission-review.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);

const child = spawn(process.execPath, ['--import', 'tsx', new URL('./sqs-server.ts', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
const firstLine = await new Promise<string>((resolve, reject) => {
  createInterface({ input: child.stdout! }).once('line', resolve);
  child.once('exit', (code) => reject(new Error(`sqs-server exited with ${code}`)));
});
const sqs = JSON.parse(firstLine) as { endpoint: string; queues: Record<string, string> };
const client = createSqsClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
const token = 'bench-token';
const app = createAdmissionApp({ enqueue: createSqsEnqueuer({ client, queueUrls: sqs.queues }), token, log: () => {} });
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise((r) => server.once('listening', r));
const port = (server.address() as AddressInfo).port;


const result = await autocannon({
  url: `http://127.0.0.1:${port}/validate`,
  method: 'POST',
  connections,
  duration: seconds,
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  requests: [{ setupRequest: (req) => ({ ...req, body: review() }) }],
});

const summary = {
  seconds,
  connections,
  requests: result.requests.total,
  rps: Math.round(result.requests.average),
  latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
  non2xx: result.non2xx,
  errors: result.errors,
  node: process.version,
};
console.log(JSON.stringify(summary, null, 2));
server.close();
child.kill('SIGTERM');
process.exit(summary.non2xx || summary.errors ? 1 : 0);
