import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SendMessageCommand, ReceiveMessageCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { createSqsEnqueuer } from '../../../shared/queue/enqueue.ts';
import { createSqsClient, type SqsApi } from '../../../shared/queue/sqs.ts';
import { createReconcileHandler, type Reconcile } from '../../../shared/queue/consumer.ts';
import { deliverOnce } from '../../../shared/queue/delivery.ts';
import type { QueueMessage } from '../../../shared/queue/message.ts';
import type { ReconcileResult } from '../../../shared/queue/result.ts';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const logger = new Logger({ logLevel: 'SILENT' });
const metrics = new Metrics({ namespace: 'apinetlet-test' });

let server: FauxqsServer;
let sdk: SQSClient;
let sqs: SqsApi;
let seq = 0;

/** A fresh FIFO queue with a FIFO DLQ (maxReceiveCount 5) per test, so tests do not see each other's messages. */
function freshQueue(visibility = 30): { url: string; dlqName: string; name: string } {
  const n = ++seq;
  const dlq = server.createQueue(`dlq-${n}.fifo`, { attributes: { FifoQueue: 'true' } });
  const q = server.createQueue(`q-${n}.fifo`, {
    attributes: {
      FifoQueue: 'true',
      VisibilityTimeout: String(visibility),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: 5 }),
    },
  });
  return { url: q.queueUrl, dlqName: `dlq-${n}.fifo`, name: `q-${n}.fifo` };
}

const msg = (name: string, rv: string, namespace = 'ns'): QueueMessage => ({ v: 1, kind: 'Network', namespace, name, source: 'watch', resourceVersion: rv });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  server = await startFauxqs({ port: 0, logger: false });
  sdk = new SQSClient({ endpoint: server.address, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  sqs = createSqsClient({ endpoint: server.address, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});
afterAll(async () => {
  sdk?.destroy();
  await server?.stop();
});

describe('enqueue over a real SQS server (fauxqs)', () => {
  let q: ReturnType<typeof freshQueue>;
  beforeEach(() => {
    q = freshQueue();
  });

  it('sends in batches with the key as MessageGroupId and drops duplicates of the same event', async () => {
    const enq = createSqsEnqueuer({ client: sqs, queueUrls: { Network: q.url } });
    const messages = Array.from({ length: 23 }, (_, i) => msg(`n${i % 4}`, String(i)));
    expect(await enq.send(messages)).toEqual({ sent: 23, failed: [] });
    // a redelivered event (same dedup id) is not queued twice
    await enq.enqueue(messages.slice(0, 5));
    const inspected = server.inspectQueue(q.name)!;
    const ready = inspected.messages.ready;
    expect(ready).toHaveLength(23);
    const bodies = ready.map((m) => JSON.parse(m.body) as QueueMessage);
    expect(new Set(bodies.map((b) => b.resourceVersion)).size).toBe(23);
    expect(ready.every((m) => m.messageGroupId === `ns/${(JSON.parse(m.body) as QueueMessage).name}`)).toBe(true);
  });

  it('throws naming the keys it could not send', async () => {
    const enq = createSqsEnqueuer({ client: sqs, queueUrls: { Network: q.url }, retryDelayMs: () => 1 });
    const err = await enq.enqueue([msg('ok', '1'), { v: 1, kind: 'VirtualIP', namespace: 'ns', name: 'vip-1', source: 'watch' }]).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/VirtualIP ns\/vip-1/);
    expect((err as Error).message).toMatch(/QUEUE_URL_VIRTUALIP/);
    expect((err as Error).message).not.toMatch(/ns\/ok/);
  });

  it('reports entries SQS refuses after retrying, and sends the rest', async () => {
    const enq = createSqsEnqueuer({ client: sqs, queueUrls: { Network: `${q.url.replace(/q-\d+\.fifo$/, 'missing.fifo')}` }, attempts: 2, retryDelayMs: () => 1 });
    const r = await enq.send([msg('a', '1'), msg('b', '1')]);
    expect(r.sent).toBe(0);
    expect(r.failed.map((f) => f.message.name).sort()).toEqual(['a', 'b']);
  });
});

describe('reconcile handler with real SQS batches', () => {
  it('a failing key does not block other keys, and the rest of its group waits (FIFO)', async () => {
    const q = freshQueue();
    await createSqsEnqueuer({ client: sqs, queueUrls: { Network: q.url } }).enqueue([msg('bad', '1'), msg('bad', '2'), msg('good', '1'), msg('other', '1')]);
    const seen: string[] = [];
    const reconcile: Reconcile = async (m) => {
      seen.push(`${m.name}@${m.resourceVersion}`);
      if (m.name === 'bad') throw new Error('boom');
      return { outcome: 'done' };
    };
    const handler = createReconcileHandler({ kind: 'Network', reconcile, sqs, queueUrl: q.url, logger, metrics, random: () => 0.5 });
    // One batch holds the head of every group (fauxqs hands out one message per group per receive).
    const r = await deliverOnce({ sqs, queueUrl: q.url, handler });
    expect(r).toMatchObject({ received: 3, deleted: 2, failed: 1 });
    expect(seen).toContain('good@1');
    expect(seen).toContain('other@1');
    expect(seen).toContain('bad@1');
    // processing of the bad group stopped at its first failure
    expect(seen).not.toContain('bad@2');
    // the failed message and the one behind it are still on the queue, in flight
    const left = server.inspectQueue(q.name)!;
    expect(left.messages.ready.length + left.messages.inflight.length).toBe(2);
  });

  it('backoff: a failure hides the message for min(1·2^(n-1), 300) s; requeue.afterSeconds wins', async () => {
    const q = freshQueue(60);
    const results: ReconcileResult[] = [{ outcome: 'requeue', reason: 'not yet', afterSeconds: 3 }];
    const reconcile: Reconcile = async () => {
      const next = results.shift();
      if (!next) throw new Error('fail');
      return next;
    };
    const handler = createReconcileHandler({ kind: 'Network', reconcile, sqs, queueUrl: q.url, logger, metrics, random: () => 0.5 });
    await createSqsEnqueuer({ client: sqs, queueUrls: { Network: q.url } }).enqueue([msg('slow', '1')]);

    let r = await deliverOnce({ sqs, queueUrl: q.url, handler });
    expect(r).toMatchObject({ received: 1, failed: 1 });
    const deadline = server.inspectQueue(q.name)!.messages.inflight[0].visibilityDeadline;
    expect(deadline - Date.now()).toBeGreaterThan(2000);
    expect(deadline - Date.now()).toBeLessThanOrEqual(3000);
    await sleep(1500);
    expect((await deliverOnce({ sqs, queueUrl: q.url, handler })).received).toBe(0);
    await sleep(1800);
    // second receive, thrown error: base 1 s · 2^(2-1) = 2 s (jitter neutral at random 0.5)
    r = await deliverOnce({ sqs, queueUrl: q.url, handler });
    expect(r).toMatchObject({ received: 1, failed: 1 });
    const d2 = server.inspectQueue(q.name)!.messages.inflight[0].visibilityDeadline - Date.now();
    expect(d2).toBeGreaterThan(1000);
    expect(d2).toBeLessThanOrEqual(2000);
  });

  it('in one batch, a failure skips the rest of its group only (SqsFifoPartialProcessor, skipGroupOnError)', async () => {
    const q = freshQueue();
    const record = (id: string, group: string, name: string, rv: string) => ({
      messageId: id,
      receiptHandle: `rh-${id}`,
      body: JSON.stringify(msg(name, rv)),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0', MessageGroupId: group },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q.fifo',
      awsRegion: 'us-east-1',
    });
    const seen: string[] = [];
    const handler = createReconcileHandler({
      kind: 'Network',
      reconcile: async (m) => {
        seen.push(`${m.name}@${m.resourceVersion}`);
        if (m.name === 'a') return { outcome: 'requeue', reason: 'waiting for the IP', afterSeconds: 5 };
        return { outcome: 'done' };
      },
      sqs,
      queueUrl: q.url,
      logger,
      metrics,
    });
    // Receipt handles are synthetic: the visibility changes fail and are only logged, never crash the batch.
    const out = await handler({
      Records: [record('1', 'ns/a', 'a', '1'), record('2', 'ns/b', 'b', '1'), record('3', 'ns/a', 'a', '2'), record('4', 'ns/b', 'b', '2')],
    });
    expect(seen).toEqual(['a@1', 'b@1', 'b@2']);
    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['1', '3']);
  });

  it('the same key is never processed concurrently and keeps its order', async () => {
    const q = freshQueue();
    const keys = ['k1', 'k2', 'k3'];
    const messages = keys.flatMap((k) => [1, 2, 3, 4].map((i) => msg(k, String(i))));
    await createSqsEnqueuer({ client: sqs, queueUrls: { Network: q.url } }).enqueue(messages);
    const inFlight = new Map<string, number>();
    const order = new Map<string, string[]>();
    let maxPerKey = 0;
    let maxTotal = 0;
    let failedOnce = false;
    const reconcile: Reconcile = async (m) => {
      const n = (inFlight.get(m.name) ?? 0) + 1;
      inFlight.set(m.name, n);
      maxPerKey = Math.max(maxPerKey, n);
      maxTotal = Math.max(maxTotal, [...inFlight.values()].reduce((a, b) => a + b, 0));
      await sleep(30);
      inFlight.set(m.name, n - 1);
      // one transient failure in the middle of k2 must not reorder k2
      if (m.name === 'k2' && m.resourceVersion === '2' && !failedOnce) {
        failedOnce = true;
        throw new Error('transient');
      }
      order.set(m.name, [...(order.get(m.name) ?? []), m.resourceVersion!]);
      return { outcome: 'done' };
    };
    const handler = createReconcileHandler({ kind: 'Network', reconcile, sqs, queueUrl: q.url, logger, metrics, random: () => 0.5 });
    // Four concurrent "function instances" polling small batches, as Lambda scales out.
    const until = Date.now() + 8000;
    const poller = async () => {
      while (Date.now() < until && [...order.values()].flat().length < messages.length) {
        const r = await deliverOnce({ sqs, queueUrl: q.url, handler, maxMessages: 2 });
        if (r.received === 0) await sleep(50);
      }
    };
    await Promise.all([poller(), poller(), poller(), poller()]);
    expect(failedOnce).toBe(true);
    expect(maxPerKey).toBe(1);
    expect(maxTotal).toBeGreaterThan(1); // the pollers did run in parallel
    for (const k of keys) expect(order.get(k)).toEqual(['1', '2', '3', '4']);
  });

  it('near the Lambda timeout no record is started; all return to the queue at once', async () => {
    const q = freshQueue(120);
    await createSqsEnqueuer({ client: sqs, queueUrls: { Network: q.url } }).enqueue([msg('late-a', '1'), msg('late-b', '1')]);
    const seen: string[] = [];
    const reconcile: Reconcile = async (m) => {
      seen.push(m.name);
      return { outcome: 'done' };
    };
    const handler = createReconcileHandler({ kind: 'Network', reconcile, sqs, queueUrl: q.url, logger, metrics, minRemainingMs: 5000 });
    const context = { getRemainingTimeInMillis: () => 1200 } as unknown as Parameters<typeof handler>[1];
    const r = await deliverOnce({ sqs, queueUrl: q.url, handler: (event) => handler(event, context) });
    expect(r).toMatchObject({ received: 2, deleted: 0, failed: 2 });
    expect(seen).toEqual([]);
    // Visible again right away (not after the queue's 120 s visibility timeout), and handled by the next invocation.
    const again = await deliverOnce({ sqs, queueUrl: q.url, handler });
    expect(again).toMatchObject({ received: 2, deleted: 2, failed: 0 });
    expect(seen.sort()).toEqual(['late-a', 'late-b']);
  });

  it('a poison key lands in the DLQ after 5 receives', async () => {
    const q = freshQueue();
    let calls = 0;
    const reconcile: Reconcile = async () => {
      calls++;
      throw new Error('always broken');
    };
    const handler = createReconcileHandler({ kind: 'Network', reconcile, sqs, queueUrl: q.url, logger, metrics, backoff: { capSeconds: 0 } });
    await createSqsEnqueuer({ client: sqs, queueUrls: { Network: q.url } }).enqueue([msg('poison', '1')]);
    for (let i = 0; i < 8; i++) await deliverOnce({ sqs, queueUrl: q.url, handler });
    expect(calls).toBe(5);
    const dlq = server.inspectQueue(q.dlqName)!;
    expect(dlq.messages.ready).toHaveLength(1);
    expect(JSON.parse(dlq.messages.ready[0].body)).toMatchObject({ name: 'poison' });
    const attrs = await sdk.send(new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    expect(attrs.Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('an unparsable message is logged and dropped, and does not block its group', async () => {
    const q = freshQueue();
    await sdk.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: '{"v":1,"kind":"Pod"}', MessageGroupId: 'ns/x', MessageDeduplicationId: 'garbage-1' }));
    await sdk.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'not json', MessageGroupId: 'ns/x', MessageDeduplicationId: 'garbage-2' }));
    await createSqsEnqueuer({ client: sqs, queueUrls: { Network: q.url } }).enqueue([msg('x', '1')]);
    const seen: string[] = [];
    const captured = new Logger({ logLevel: 'ERROR' });
    const handler = createReconcileHandler({
      kind: 'Network',
      reconcile: async (m) => {
        seen.push(m.name);
        return { outcome: 'done' };
      },
      sqs,
      queueUrl: q.url,
      logger: captured,
      metrics,
    });
    const errorLog = vi.spyOn(captured, 'error').mockImplementation(() => {});
    const calls: unknown[][] = [];
    const totals = { received: 0, deleted: 0, failed: 0 };
    try {
      // fauxqs hands out one message per group per receive, so drain in rounds.
      for (let i = 0; i < 6; i++) {
        const r = await deliverOnce({ sqs, queueUrl: q.url, handler });
        totals.received += r.received;
        totals.deleted += r.deleted;
        totals.failed += r.failed;
      }
    } finally {
      calls.push(...errorLog.mock.calls);
      errorLog.mockRestore();
    }
    expect(totals).toEqual({ received: 3, deleted: 3, failed: 0 });
    expect(seen).toEqual(['x']);
    const rec = await sdk.send(new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 10 }));
    expect(rec.Messages ?? []).toHaveLength(0);
    const dropped = calls.filter((c) => c[0] === 'dropping unparsable queue message').map((c) => c[1] as { reason: string });
    expect(dropped).toHaveLength(2);
    expect(dropped[0].reason).toMatch(/kind/);
    expect(dropped[1].reason).toMatch(/not JSON/);
  });
});
