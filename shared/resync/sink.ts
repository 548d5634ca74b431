/**
 * A streaming enqueue sink: messages are added one by one while a LIST is being read, and are
 * sent in chunks with a bounded number of chunks in flight, so memory stays flat however many
 * objects the clusters hold (ARCHITECTURE.md 6). The enqueuer splits a chunk into
 * SendMessageBatch calls of 10 and runs a few of them at once.
 */
import { PRIMARY_KINDS, type PrimaryKind } from '../api/resources.ts';
import { EnqueueError, type Enqueuer } from '../queue/enqueue.ts';
import { messageGroupId, type QueueMessage } from '../queue/message.ts';

export interface SinkOptions {
  /** Messages per enqueue call; default 40 (4 SendMessageBatch calls of 10, sent in parallel by the SQS enqueuer). */
  chunkSize?: number;
  /** Enqueue calls in flight at once while the producer keeps listing; default 2. */
  maxPending?: number;
  /** How many failure lines to keep for the summary; default 20. */
  maxFailureSamples?: number;
}

export interface SinkCounts {
  sent: Record<PrimaryKind, number>;
  failed: Record<PrimaryKind, number>;
  /** The first few failures: kind, key and SQS' reason. */
  failureSamples: string[];
  /** Most messages held at once (buffer + chunks in flight): proves the bound in tests. */
  peakHeld: number;
}

export interface EnqueueSink {
  /** Queues a message; waits only while `maxPending` chunks are in flight. */
  add(message: QueueMessage): Promise<void>;
  /** Sends what is buffered and waits for every chunk in flight. */
  flush(): Promise<void>;
  counts(): SinkCounts;
}

export const zeroByKind = (): Record<PrimaryKind, number> =>
  Object.fromEntries(PRIMARY_KINDS.map((k) => [k, 0])) as Record<PrimaryKind, number>;

export function createEnqueueSink(enqueuer: Enqueuer, opts: SinkOptions = {}): EnqueueSink {
  const chunkSize = Math.max(1, opts.chunkSize ?? 40);
  const maxPending = Math.max(1, opts.maxPending ?? 2);
  const maxSamples = opts.maxFailureSamples ?? 20;
  const sent = zeroByKind();
  const failed = zeroByKind();
  const failureSamples: string[] = [];
  const pending = new Set<Promise<void>>();
  let buffer: QueueMessage[] = [];
  let inFlight = 0;
  let peakHeld = 0;

  const recordFailure = (m: QueueMessage, reason: string) => {
    failed[m.kind]++;
    if (failureSamples.length < maxSamples) failureSamples.push(`${m.kind} ${messageGroupId(m)}: ${reason}`);
  };

  const sendChunk = async (chunk: QueueMessage[]): Promise<void> => {
    try {
      await enqueuer.enqueue(chunk);
      for (const m of chunk) sent[m.kind]++;
    } catch (err) {
      if (err instanceof EnqueueError) {
        const bad = new Set(err.failed.map((f) => f.message));
        for (const f of err.failed) recordFailure(f.message, `${f.code}: ${f.reason}`);
        for (const m of chunk) if (!bad.has(m)) sent[m.kind]++;
      } else {
        // The enqueuer failed as a whole (no per-message detail): every message of the chunk counts as failed.
        for (const m of chunk) recordFailure(m, (err as Error).message);
      }
    } finally {
      inFlight -= chunk.length;
    }
  };

  const startChunk = () => {
    const chunk = buffer;
    buffer = [];
    inFlight += chunk.length;
    const p: Promise<void> = sendChunk(chunk).finally(() => pending.delete(p));
    pending.add(p);
  };

  return {
    async add(message) {
      buffer.push(message);
      peakHeld = Math.max(peakHeld, buffer.length + inFlight);
      if (buffer.length < chunkSize) return;
      startChunk();
      while (pending.size >= maxPending) await Promise.race(pending);
    },
    async flush() {
      if (buffer.length > 0) startChunk();
      while (pending.size > 0) await Promise.race(pending);
    },
    counts: () => ({ sent: { ...sent }, failed: { ...failed }, failureSamples: [...failureSamples], peakHeld }),
  };
}
