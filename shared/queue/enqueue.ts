import { createHash } from 'node:crypto';
import type { PrimaryKind } from '../api/resources.ts';
import { messageGroupId, type QueueMessage } from './message.ts';
import type { SendMessageBatchRequestEntry, SqsApi } from './sqs.ts';

/** What the webhook apps need from a queue: put reconcile requests on it (ARCHITECTURE.md section 2). */
export interface Enqueuer {
  enqueue(messages: QueueMessage[]): Promise<void>;
}

/** A message SQS did not take, with its key and SQS' reason. */
export interface FailedMessage {
  message: QueueMessage;
  code: string;
  reason: string;
}

export interface EnqueueResult {
  sent: number;
  failed: FailedMessage[];
}

/** Thrown by `enqueue` when some messages could not be sent after retries; names their keys. */
export class EnqueueError extends Error {
  constructor(
    readonly sent: number,
    readonly failed: FailedMessage[],
  ) {
    const keys = failed.slice(0, 20).map((f) => `${f.message.kind} ${messageGroupId(f.message)} (${f.code}: ${f.reason})`);
    const more = failed.length > 20 ? ` and ${failed.length - 20} more` : '';
    super(`enqueue: ${failed.length} message(s) not sent (${sent} sent): ${keys.join('; ')}${more}`);
    this.name = 'EnqueueError';
  }
}

export interface SqsEnqueuerOptions {
  client: SqsApi;
  queueUrls: Partial<Record<PrimaryKind, string>>;
  /** SendMessageBatch calls in flight at once; default 4. */
  concurrency?: number;
  /** Attempts per entry (first send included); default 4. */
  attempts?: number;
  /** Delay before the retry n (0-based), ms; default 50·2^n. Injected for tests. */
  retryDelayMs?: (retry: number) => number;
}

/**
 * `enqueue` resolves with nothing so that an SqsEnqueuer is an `Enqueuer` (a Promise of a result
 * is not assignable to Promise<void>); `send` gives the counts.
 */
export interface SqsEnqueuer extends Enqueuer {
  /** Sends all messages; throws EnqueueError naming the keys it could not send (after retries). */
  enqueue(messages: QueueMessage[]): Promise<void>;
  /** Sends all messages; reports what could not be sent (after retries) instead of throwing. */
  send(messages: QueueMessage[]): Promise<EnqueueResult>;
}

/**
 * MessageDeduplicationId (ARCHITECTURE.md 1): equal for the same event of the same object, so the
 * queue drops a webhook's redelivery; `run` separates resync runs. sha256 hex is 64 characters,
 * within SQS' 128.
 */
export function deduplicationId(msg: QueueMessage): string {
  // namespace and name hashed apart (not as the joined key) so no two keys can collide.
  const parts = [msg.kind, msg.namespace, msg.name, msg.uid ?? '', msg.resourceVersion ?? '', msg.op ?? '', msg.source, msg.run ?? ''];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * The SendMessageBatch entry of a message; `id` is unique within its batch. The body is exactly the
 * message contract of ARCHITECTURE.md 2; `run` only feeds the deduplication id and is not sent.
 */
export function toBatchEntry(msg: QueueMessage, id: string): SendMessageBatchRequestEntry {
  const { run: _run, ...body } = msg;
  return { Id: id, MessageBody: JSON.stringify(body), MessageGroupId: messageGroupId(msg), MessageDeduplicationId: deduplicationId(msg) };
}

/** Splits into chunks of at most `size` (SendMessageBatch takes 10 entries). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function createSqsEnqueuer(options: SqsEnqueuerOptions): SqsEnqueuer {
  const { client, queueUrls } = options;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const attempts = Math.max(1, options.attempts ?? 4);
  const retryDelayMs = options.retryDelayMs ?? ((n: number) => 50 * 2 ** n);

  /** Sends one chunk of one queue, retrying what failed; returns what still failed. */
  const sendChunk = async (queueUrl: string, batch: QueueMessage[]): Promise<FailedMessage[]> => {
    let pending = batch.map((message, i) => ({ message, entry: toBatchEntry(message, String(i)) }));
    const final: FailedMessage[] = [];
    let lastFailures: FailedMessage[] = [];
    for (let attempt = 0; attempt < attempts && pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(retryDelayMs(attempt - 1));
      try {
        const out = await client.sendMessageBatch({ QueueUrl: queueUrl, Entries: pending.map((p) => p.entry) });
        const byId = new Map(pending.map((p) => [p.entry.Id, p]));
        const retry: typeof pending = [];
        lastFailures = [];
        for (const f of out.Failed ?? []) {
          const p = byId.get(f.Id);
          if (!p) continue;
          const failure = { message: p.message, code: f.Code ?? 'Unknown', reason: f.Message ?? '' };
          // A sender fault (a bad entry) fails the same way again; only server faults are retried.
          if (f.SenderFault) final.push(failure);
          else {
            retry.push(p);
            lastFailures.push(failure);
          }
        }
        pending = retry;
      } catch (err) {
        // The whole call failed (network, throttling): retry every pending entry.
        const e = err as Error;
        lastFailures = pending.map((p) => ({ message: p.message, code: e.name || 'Error', reason: e.message }));
      }
    }
    return pending.length > 0 ? [...final, ...lastFailures] : final;
  };

  const send = async (messages: QueueMessage[]): Promise<EnqueueResult> => {
    const failed: FailedMessage[] = [];
    const jobs: { queueUrl: string; batch: QueueMessage[] }[] = [];
    const byKind = new Map<PrimaryKind, QueueMessage[]>();
    for (const m of messages) byKind.set(m.kind, [...(byKind.get(m.kind) ?? []), m]);
    for (const [kind, msgs] of byKind) {
      const queueUrl = queueUrls[kind];
      if (!queueUrl) {
        failed.push(...msgs.map((message) => ({ message, code: 'NoQueue', reason: `no queue URL for kind ${kind}; set QUEUE_URL_${kind.toUpperCase()}` })));
        continue;
      }
      for (const batch of chunk(msgs, 10)) jobs.push({ queueUrl, batch });
    }
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        failed.push(...(await sendChunk(job.queueUrl, job.batch)));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
    return { sent: messages.length - failed.length, failed };
  };

  return {
    send,
    async enqueue(messages) {
      const result = await send(messages);
      if (result.failed.length > 0) throw new EnqueueError(result.sent, result.failed);
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
