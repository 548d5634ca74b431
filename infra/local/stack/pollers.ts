/**
 * What Lambda's SQS event source does, locally: long-poll loops per kind hand real SQS batches
 * to the same handler Lambda calls (shared/queue/delivery.ts). Pausable, so tests can show that a
 * key queued while no consumer runs converges once it is back.
 */
import type { SqsApi } from '../../../shared/queue/sqs.ts';
import type { PrimaryKind } from '../../../shared/api/resources.ts';
import type { SqsBatchHandler } from '../../../shared/queue/consumer.ts';
import { deliverOnce } from '../../../shared/queue/delivery.ts';

export interface Pollers {
  /** Stops receiving; resolves once no batch is in flight. */
  pause(): Promise<void>;
  resume(): void;
  readonly paused: boolean;
  /** Deliveries made per kind (batches with at least one message). */
  readonly batches: Record<string, number>;
  /** Stops for good; resolves once every loop has ended (at most one long poll). */
  stop(): Promise<void>;
}

export interface PollerOptions {
  sqs: SqsApi;
  queues: Record<PrimaryKind, string>;
  handlers: Record<PrimaryKind, SqsBatchHandler>;
  /** Long-poll wait; short so a stop never waits long (ARCHITECTURE.md 8: stop within 5 s). */
  waitTimeSeconds?: number;
  /**
   * Loops per kind, like Lambda's concurrent invocations of one event source: FIFO still hands a
   * message group to one consumer at a time, so one key is never reconciled twice at once. Default 2.
   */
  concurrency?: number;
  onError?: (kind: PrimaryKind, err: unknown) => void;
}

export function startPollers(opts: PollerOptions): Pollers {
  const wait = opts.waitTimeSeconds ?? 1;
  let stopped = false;
  let paused = false;
  let wake: (() => void) | undefined;
  const inFlight = new Set<Promise<unknown>>();
  const batches: Record<string, number> = {};

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      const prev = wake;
      wake = () => {
        clearTimeout(t);
        resolve();
        prev?.();
      };
    });

  const loop = async (kind: PrimaryKind) => {
    while (!stopped) {
      if (paused) {
        await sleep(200);
        continue;
      }
      const round = deliverOnce({ sqs: opts.sqs, queueUrl: opts.queues[kind], handler: opts.handlers[kind], waitTimeSeconds: wait });
      inFlight.add(round);
      try {
        const r = await round;
        if (r.received) batches[kind] = (batches[kind] ?? 0) + 1;
      } catch (err) {
        if (stopped) break;
        opts.onError?.(kind, err);
        await sleep(500);
      } finally {
        inFlight.delete(round);
      }
    }
  };
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const loops = (Object.keys(opts.queues) as PrimaryKind[]).flatMap((kind) => Array.from({ length: concurrency }, () => loop(kind)));

  return {
    get paused() {
      return paused;
    },
    batches,
    async pause() {
      paused = true;
      await Promise.allSettled([...inFlight]);
    },
    resume() {
      paused = false;
      wake?.();
      wake = undefined;
    },
    async stop() {
      stopped = true;
      wake?.();
      wake = undefined;
      await Promise.allSettled(loops);
    },
  };
}
