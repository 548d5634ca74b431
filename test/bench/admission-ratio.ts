/**
 * Admission webhook vs a bare Hono app (issue 12): the same autocannon load in the same run against
 * POST /validate of the real admission app (parse + validate the AdmissionReview, enqueue the key
 * to fauxqs in a child process) and against a bare Hono app that parses the body and allows. At 1,
 * 16 and 64 connections: p50/p99 latency and req/s, and the ratio admission / bare.
 *
 *   node --import tsx test/bench/admission-ratio.ts [seconds per run, default 10] [--json F]
 *
 * Plain HTTP on loopback; autocannon runs in this process beside both apps (same share for both).
 */
import { serve } from '@hono/node-server';
import autocannon from 'autocannon';
import { Hono } from 'hono';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { createAdmissionApp } from '../../shared/admission/app.ts';
import { createSqsEnqueuer } from '../../shared/queue/enqueue.ts';
import { createSqsClient } from '../../shared/queue/sqs.ts';
import { review } from './admission-review.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const seconds = Number(process.argv[2] ?? 10);
const child = spawn(process.execPath, ['--import', 'tsx', new URL('./sqs-server.ts', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
const sqs = JSON.parse(await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve))) as { endpoint: string; queues: Record<string, string> };
const client = createSqsClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
const token = 'bench-token';
const admission = createAdmissionApp({ enqueue: createSqsEnqueuer({ client, queueUrls: sqs.queues }), token, log: () => {} });
const bare = new Hono().post('/validate', async (c) => {
  const body = (await c.req.json()) as { request?: { uid?: string } };
  return c.json({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: body.request?.uid ?? '', allowed: true } });
});

async function listen(app: { fetch: (r: Request) => Response | Promise<Response> }) {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  return { server, port: (server.address() as AddressInfo).port };
}


async function load(port: number, connections: number) {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}/validate`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    requests: [{ setupRequest: (req) => ({ ...req, body: review() }) }],
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

const a = await listen(admission);
const b = await listen(bare);
console.log(`${seconds} s per run; ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}`);
console.log('| connections | admission p50 / p99 (ms) | admission req/s | bare Hono p50 / p99 (ms) | bare req/s | ratio p50 | ratio p99 | ratio req/s |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
const rows = [];
for (const c of [1, 16, 64]) {
  const ra = await load(a.port, c);
  const rb = await load(b.port, c);
  rows.push({ connections: c, admission: ra, bare: rb });
  const ratio = (x: number, y: number) => (y > 0 ? (x / y).toFixed(2) : 'n/a');
  console.log(`| ${c} | ${ra.p50} / ${ra.p99} | ${Math.round(ra.rps)} | ${rb.p50} / ${rb.p99} | ${Math.round(rb.rps)} | ${ratio(ra.p50, rb.p50)} | ${ratio(ra.p99, rb.p99)} | ${ratio(ra.rps, rb.rps)} |`);
  if (ra.non2xx || ra.errors || rb.non2xx || rb.errors) console.log(`  non-2xx/errors: admission ${ra.non2xx}/${ra.errors}, bare ${rb.non2xx}/${rb.errors}`);
}
if (process.argv.includes('--json')) await (await import('node:fs/promises')).writeFile(process.argv[process.argv.indexOf('--json') + 1]!, JSON.stringify(rows));
a.server.close();
b.server.close();
child.kill('SIGTERM');
process.exit(0);
