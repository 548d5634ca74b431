import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { createSqsEnqueuer, deduplicationId } from '../../../shared/queue/enqueue.ts';
import { createSqsClient, type SqsApi } from '../../../shared/queue/sqs.ts';
import { createReconcileHandler, type Reconcile } from '../../../shared/queue/consumer.ts';
import { deliverOnce } from '../../../shared/queue/delivery.ts';
import { deadLetterQueueUrlOf, redriveDeadLetters } from '../../../shared/queue/redrive.ts';
import type { QueueMessage } from '../../../shared/queue/message.ts';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const logger = new Logger({ logLevel: 'SILENT' });
const metrics = new Metrics({ namespace: 'apinetlet-test' });

let server: FauxqsServer;
let sqs: SqsApi;
let seq = 0;

/** A main FIFO queue `…-n.fifo` with its DLQ `…-n-dlq.fifo` (the serverless.yml naming), maxReceiveCount 5. */
function freshQueue() {
  const n = ++seq;
  const dlq = server.createQueue(`apinetlet-t-network${n}-dlq.fifo`, { attributes: { FifoQueue: 'true' } });
  const q = server.createQueue(`apinetlet-t-network${n}.fifo`, {
    attributes: { FifoQueue: 'true', VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: 5 }) },
  });
  return { url: q.queueUrl, dlqUrl: dlq.queueUrl, name: `apinetlet-t-network${n}.fifo`, dlqName: `apinetlet-t-network${n}-dlq.fifo` };
}

const msg = (name: string): QueueMessage => ({ v: 1, kind: 'Network', namespace: 'ns', name, source: 'watch', resourceVersion: '7', uid: 'u-1' });

beforeAll(async () => {
  server = await startFauxqs({ port: 0, logger: false });
  sqs = createSqsClient({ endpoint: server.address, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});
afterAll(async () => {
  await server?.stop();
});

describe('dead-letter redrive over a real SQS server (fauxqs)', () => {
  it('derives the DLQ URL from the main queue URL', () => {
    expect(deadLetterQueueUrlOf('http://h/1/apinetlet-dev-network.fifo')).toBe('http://h/1/apinetlet-dev-network-dlq.fifo');
    expect(() => deadLetterQueueUrlOf('http://h/1/q')).toThrow(/not a FIFO/);
  });

  it('a key failing 5 times lands in the DLQ; --dry-run lists it and moves nothing; redrive moves it back and it converges once fixed', async () => {
    const q = freshQueue();
    expect(deadLetterQueueUrlOf(q.url)).toBe(q.dlqUrl);
    let broken = true;
    const reconciled: string[] = [];
    const reconcile: Reconcile = async (m) => {
      if (broken) throw new Error('network not found');
      reconciled.push(m.name);
      return { outcome: 'done' };
    };
    const handler = createReconcileHandler({ kind: 'Network', reconcile, sqs, queueUrl: q.url, logger, metrics, backoff: { capSeconds: 0 } });
    await createSqsEnqueuer({ client: sqs, queueUrls: { Network: q.url } }).enqueue([msg('poison'), msg('other')]);
    for (let i = 0; i < 8; i++) await deliverOnce({ sqs, queueUrl: q.url, handler });
    expect(server.inspectQueue(q.dlqName)!.messages.ready).toHaveLength(2);

    const dry = await redriveDeadLetters({ sqs, queueUrl: q.url, deadLetterQueueUrl: q.dlqUrl, dryRun: true });
    expect(dry.moved).toBe(0);
    expect(dry.listed.map((d) => d.key).sort()).toEqual(['ns/other', 'ns/poison']);
    for (const d of dry.listed) expect(d.receiveCount).toBeGreaterThanOrEqual(5);
    // nothing moved, and the DLQ messages are visible again at once
    expect(server.inspectQueue(q.dlqName)!.messages.ready).toHaveLength(2);
    expect(server.inspectQueue(q.name)!.messages.ready).toHaveLength(0);

    broken = false;
    const res = await redriveDeadLetters({ sqs, queueUrl: q.url, deadLetterQueueUrl: q.dlqUrl });
    expect(res).toMatchObject({ moved: 2, failed: [] });
    expect(server.inspectQueue(q.dlqName)!.messages.ready).toHaveLength(0);
    const back = server.inspectQueue(q.name)!.messages.ready;
    expect(back).toHaveLength(2);
    // same body (the queue contract) and MessageGroupId; a dedup id of its own, not the dropped original's
    const poison = back.find((m) => JSON.parse(m.body).name === 'poison')!;
    expect(JSON.parse(poison.body)).toEqual(msg('poison'));
    expect(poison.messageGroupId).toBe('ns/poison');
    expect(poison.messageDeduplicationId).not.toBe(deduplicationId(msg('poison')));

    for (let i = 0; i < 3; i++) await deliverOnce({ sqs, queueUrl: q.url, handler });
    expect(reconciled.sort()).toEqual(['other', 'poison']);
    expect(server.inspectQueue(q.name)!.messages.ready).toHaveLength(0);
    expect(server.inspectQueue(q.dlqName)!.messages.ready).toHaveLength(0);
  });

  it('an empty DLQ is a no-op', async () => {
    const q = freshQueue();
    expect(await redriveDeadLetters({ sqs, queueUrl: q.url, deadLetterQueueUrl: q.dlqUrl })).toEqual({ listed: [], moved: 0, failed: [] });
  });
});

describe('npm run redrive (child process against fauxqs)', () => {
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const { execFile } = await import('node:child_process');
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'infra/local/redrive.ts', ...args], { env: { ...process.env, ...env }, cwd: new URL('../../..', import.meta.url).pathname }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  };

  it('lists with --dry-run, then moves; bad flags exit 2 with one line', async () => {
    const q = freshQueue();
    // put a key on the DLQ as SQS would after maxReceiveCount failed receives
    await sqs.sendMessageBatch({ QueueUrl: q.dlqUrl, Entries: [{ Id: '0', MessageBody: JSON.stringify(msg('stuck')), MessageGroupId: 'ns/stuck', MessageDeduplicationId: 'd1' }] });
    const env = { QUEUE_URL_NETWORK: q.url, SQS_ENDPOINT: server.address };
    const dry = await run(['--kind', 'Network', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Network: 1 dead-lettered key/);
    expect(dry.stdout).toMatch(/ns\/stuck {2}receives=\d+/);
    expect(dry.stdout).toMatch(/dry run, nothing moved/);
    expect(server.inspectQueue(q.dlqName)!.messages.ready).toHaveLength(1);
    const real = await run(['--kind', 'Network'], env);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/moved 1 back/);
    expect(server.inspectQueue(q.dlqName)!.messages.ready).toHaveLength(0);
    expect(server.inspectQueue(q.name)!.messages.ready).toHaveLength(1);

    const bad = await run(['--kind', 'Pod'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--kind must be one of/);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run redrive/);
  }, 30_000);
});
