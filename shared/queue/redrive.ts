import { toBatchEntry } from './enqueue.ts';
import { messageGroupId, parseQueueMessage } from './message.ts';
import type { SqsApi, SqsMessage } from './sqs.ts';

/**
 * Dead-letter redrive (issue 13 part 6): read a kind's FIFO dead-letter queue and put its keys back
 * on the kind's main queue. The body is sent unchanged (ARCHITECTURE.md 2), with the same
 * MessageGroupId ("<namespace>/<name>") and a MessageDeduplicationId from the same hash with a
 * `run` of its own (as a resync run), so the main queue does not drop it as a duplicate of the
 * delivery that dead-lettered it. A message is deleted from the dead-letter queue only after the
 * main queue took it: nothing is lost; at worst a key is delivered twice (a no-op reconcile).
 */
export interface DeadLetter {
  messageId: string;
  /** "<namespace>/<name>", or the MessageGroupId when the body is unreadable. */
  key: string;
  /** The ironcore object's uid the message carries, if any. */
  uid?: string;
  /** SQS ApproximateReceiveCount as the dead-letter queue reports it. */
  receiveCount: number;
  /** When the key was first sent (SentTimestamp), ISO 8601. */
  sentAt?: string;
  /** Why it is not redriven (unreadable body), if so. */
  problem?: string;
}

export interface RedriveResult {
  listed: DeadLetter[];
  moved: number;
  failed: { key: string; reason: string }[];
}

/** `…-network.fifo` → `…-network-dlq.fifo` (the naming of serverless.yml). */
export function deadLetterQueueUrlOf(queueUrl: string): string {
  if (!queueUrl.endsWith('.fifo')) throw new Error(`queue URL ${queueUrl} is not a FIFO queue (.fifo)`);
  return `${queueUrl.slice(0, -'.fifo'.length)}-dlq.fifo`;
}

export async function redriveDeadLetters(opts: {
  sqs: SqsApi;
  queueUrl: string;
  deadLetterQueueUrl: string;
  dryRun?: boolean;
  /** Stops after this many messages; default 10 000. */
  limit?: number;
  /** Run id feeding the deduplication id; default the current time. */
  run?: string;
}): Promise<RedriveResult> {
  const { sqs, queueUrl, deadLetterQueueUrl } = opts;
  const limit = opts.limit ?? 10_000;
  const run = opts.run ?? `redrive-${Date.now()}`;
  const listed: DeadLetter[] = [];
  const failed: RedriveResult['failed'] = [];
  let moved = 0;
  /** Received but left on the dead-letter queue: made visible again at the end. */
  const keep: SqsMessage[] = [];
  const seen = new Set<string>();
  while (listed.length < limit) {
    const out = await sqs.receiveMessage({
      QueueUrl: deadLetterQueueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      VisibilityTimeout: 60,
      MessageSystemAttributeNames: ['ApproximateReceiveCount', 'MessageGroupId', 'SentTimestamp'],
    });
    const batch = (out.Messages ?? []).filter((m) => m.MessageId && !seen.has(m.MessageId));
    if (batch.length === 0) break;
    const send: { m: SqsMessage; entry: ReturnType<typeof toBatchEntry>; key: string }[] = [];
    for (const m of batch) {
      seen.add(m.MessageId!);
      const parsed = parseQueueMessage(m.Body ?? '');
      const sent = Number(m.Attributes?.SentTimestamp);
      const item: DeadLetter = {
        messageId: m.MessageId!,
        key: parsed.ok ? messageGroupId(parsed.message) : (m.Attributes?.MessageGroupId ?? '?'),
        ...(parsed.ok && parsed.message.uid ? { uid: parsed.message.uid } : {}),
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount) || 0,
        ...(Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent).toISOString() } : {}),
        ...(parsed.ok ? {} : { problem: parsed.reason }),
      };
      listed.push(item);
      if (opts.dryRun || !parsed.ok) keep.push(m);
      else send.push({ m, key: item.key, entry: toBatchEntry({ ...parsed.message, run: `${run}:${m.MessageId}` }, String(send.length)) });
    }
    if (send.length > 0) {
      const res = await sqs.sendMessageBatch({ QueueUrl: queueUrl, Entries: send.map((s) => s.entry) });
      const bad = new Map((res.Failed ?? []).map((f) => [f.Id, f]));
      const done = send.filter((s) => !bad.has(s.entry.Id));
      for (const s of send) {
        const f = bad.get(s.entry.Id);
        if (f) {
          failed.push({ key: s.key, reason: `${f.Code ?? 'Error'}: ${f.Message ?? ''}` });
          keep.push(s.m);
        }
      }
      if (done.length > 0) {
        const del = await sqs.deleteMessageBatch({ QueueUrl: deadLetterQueueUrl, Entries: done.map((s, i) => ({ Id: String(i), ReceiptHandle: s.m.ReceiptHandle! })) });
        for (const f of del.Failed ?? []) failed.push({ key: done[Number(f.Id)]!.key, reason: `sent again but not deleted from the dead-letter queue: ${f.Code ?? ''} ${f.Message ?? ''}` });
        moved += done.length - (del.Failed?.length ?? 0);
      }
    }
  }
  // Whatever stays on the dead-letter queue is visible again at once (a dry run changes nothing).
  for (let i = 0; i < keep.length; i += 10) {
    const entries = keep.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
    await sqs.changeMessageVisibilityBatch({ QueueUrl: deadLetterQueueUrl, Entries: entries });
  }
  return { listed, moved, failed };
}
