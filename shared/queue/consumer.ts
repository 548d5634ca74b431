import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { PrimaryKind } from '../api/resources.ts';
import { getLogger, getMetrics, keyLogger, recordReconcile, type Logger, type Metrics } from '../log.ts';
import { backoffSeconds, clampVisibility, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import { messageGroupId, parseQueueMessage, type QueueMessage } from './message.ts';
import type { ReconcileResult } from './result.ts';
import type { SqsApi } from './sqs.ts';

export interface ReconcileContext {
  /** Logger carrying kind, key, source and messageId on every line. */
  logger: Logger;
  /** SQS ApproximateReceiveCount (1 on the first delivery). */
  receiveCount: number;
  messageId: string;
  lambdaContext?: Context;
}

export type Reconcile = (msg: QueueMessage, ctx: ReconcileContext) => Promise<ReconcileResult>;

export interface ReconcileHandlerOptions {
  kind: PrimaryKind;
  reconcile: Reconcile;
  sqs: SqsApi;
  queueUrl: string;
  logger?: Logger;
  metrics?: Metrics;
  backoff?: Partial<BackoffPolicy>;
  /** [0, 1) source for the backoff jitter; injected for tests. */
  random?: () => number;
  /** Records are not started with less than this much Lambda time left (ms); default 5000. */
  minRemainingMs?: number;
}

export type SqsBatchHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/** Thrown inside the record handler to make Powertools report a requeue as an item failure. */
class RequeueSignal extends Error {
  override name = 'RequeueSignal';
}

/**
 * The Lambda handler of a reconcile function (ARCHITECTURE.md 2 and 3): one reconcile per record,
 * in order. On a failure or requeue the message is hidden for the backoff delay and reported as a
 * batch item failure; the rest of its group is returned too (FIFO order) while other groups go on
 * (`skipGroupOnError`). Unparsable messages are logged and dropped.
 */
export function createReconcileHandler(options: ReconcileHandlerOptions): SqsBatchHandler {
  const { kind, reconcile, sqs, queueUrl } = options;
  const policy: BackoffPolicy = { ...DEFAULT_BACKOFF, ...options.backoff };
  const random = options.random ?? Math.random;
  const minRemainingMs = options.minRemainingMs ?? 5_000;
  const rootLogger = options.logger ?? getLogger();
  const metrics = options.metrics ?? getMetrics();

  return async (event, context) => {
    if (context) rootLogger.addContext(context);
    /** messageId → seconds it was hidden for; group → delay for the rest of that group. */
    const hidden = new Map<string, number>();
    const groupDelay = new Map<string, number>();

    const hide = async (record: SQSRecord, seconds: number, log: Logger) => {
      const visibility = clampVisibility(seconds);
      groupDelay.set(record.attributes?.MessageGroupId ?? '', visibility);
      try {
        await sqs.changeMessageVisibility({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: visibility });
        hidden.set(record.messageId, visibility);
      } catch (err) {
        // The message still comes back after the queue's visibility timeout: later, not lost.
        log.error('ChangeMessageVisibility failed; the message returns after the queue visibility timeout', { error: err as Error });
      }
    };

    const handleRecord = async (record: SQSRecord): Promise<void> => {
      const started = Date.now();
      // Near the Lambda's timeout, start no new reconcile: a record cut off by the timeout would only
      // come back after the queue's visibility timeout (minutes); returned now, it comes back at once.
      if (typeof context?.getRemainingTimeInMillis === 'function' && context.getRemainingTimeInMillis() < minRemainingMs) {
        await hide(record, 0, rootLogger);
        throw new RequeueSignal(`only ${context.getRemainingTimeInMillis()} ms left in this invocation`);
      }
      const parsed = parseQueueMessage(record.body);
      if (!parsed.ok || parsed.message.kind !== kind) {
        const reason = parsed.ok ? `message of kind ${parsed.message.kind} on the ${kind} queue` : parsed.reason;
        rootLogger.error('dropping unparsable queue message', { kind, messageId: record.messageId, reason, body: record.body.slice(0, 1000) });
        recordReconcile(metrics, kind, 'dropped', Date.now() - started);
        return;
      }
      const msg = parsed.message;
      const receiveCount = Number(record.attributes?.ApproximateReceiveCount) || 1;
      const log = keyLogger(rootLogger, { kind, key: messageGroupId(msg), source: msg.source, messageId: record.messageId, receiveCount });
      let result: ReconcileResult;
      try {
        result = await reconcile(msg, { logger: log, receiveCount, messageId: record.messageId, lambdaContext: context });
        // A reconciler bug returning something else is a failure with backoff, not a hot retry loop.
        if (result?.outcome !== 'done' && result?.outcome !== 'requeue') throw new Error(`reconcile returned ${JSON.stringify(result)}`);
      } catch (err) {
        const delay = backoffSeconds(receiveCount, policy, random);
        log.error(`reconcile failed; retrying in ${delay}s`, { error: err as Error, retryInSeconds: delay });
        recordReconcile(metrics, kind, 'failed', Date.now() - started);
        await hide(record, delay, log);
        throw err;
      }
      if (result.outcome === 'done') {
        recordReconcile(metrics, kind, 'done', Date.now() - started);
        return;
      }
      const delay = result.afterSeconds ?? backoffSeconds(receiveCount, policy, random);
      log.info(`requeue in ${delay}s: ${result.reason}`, { retryInSeconds: delay, reason: result.reason });
      recordReconcile(metrics, kind, 'requeue', Date.now() - started);
      await hide(record, delay, log);
      throw new RequeueSignal(result.reason);
    };

    let response: SQSBatchResponse;
    try {
      response = await processPartialResponse(event, handleRecord, new SqsFifoPartialProcessorAsync(), {
        context,
        skipGroupOnError: true,
        throwOnFullBatchFailure: false,
      });
    } catch (err) {
      // A bug outside the record handler: return every record, the queue delivers them again.
      rootLogger.error('batch processing failed; returning the whole batch', { error: err as Error });
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    }
    await hideSkipped(event, response, hidden, groupDelay, sqs, queueUrl, rootLogger);
    return response;
  };
}

/**
 * Records returned without being processed (behind a failure of their group) keep the group
 * blocked while in flight; hide them no longer than the failed one so the group resumes on time.
 */
async function hideSkipped(
  event: SQSEvent,
  response: SQSBatchResponse,
  hidden: Map<string, number>,
  groupDelay: Map<string, number>,
  sqs: SqsApi,
  queueUrl: string,
  logger: Logger,
): Promise<void> {
  const failedIds = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  const skipped = event.Records.filter((r) => failedIds.has(r.messageId) && !hidden.has(r.messageId));
  for (let i = 0; i < skipped.length; i += 10) {
    const entries = skipped.slice(i, i + 10).map((r, j) => ({
      Id: String(j),
      ReceiptHandle: r.receiptHandle,
      VisibilityTimeout: groupDelay.get(r.attributes?.MessageGroupId ?? '') ?? 0,
    }));
    try {
      const out = await sqs.changeMessageVisibilityBatch({ QueueUrl: queueUrl, Entries: entries });
      if (out.Failed?.length) logger.warn('ChangeMessageVisibility failed for skipped records', { failed: out.Failed });
    } catch (err) {
      logger.warn('ChangeMessageVisibilityBatch failed for skipped records', { error: err as Error });
    }
  }
}
