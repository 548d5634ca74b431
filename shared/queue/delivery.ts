import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { SqsBatchHandler } from './consumer.ts';
import type { SqsApi, SqsMessage as Message } from './sqs.ts';

/**
 * What Lambda's SQS event source does, for the local stack and the tests: receive a batch, hand it
 * to the same handler Lambda calls, delete what succeeded. Failed records stay (their visibility
 * was set by the handler).
 */

/** An SQS ARN from a queue URL (`https://host/<account>/<name>`), as Lambda puts it in `eventSourceARN`. */
export function queueArnFromUrl(queueUrl: string, region = 'us-east-1'): string {
  const [account = '000000000000', name = ''] = new URL(queueUrl).pathname.split('/').filter(Boolean).slice(-2);
  return `arn:aws:sqs:${region}:${account}:${name}`;
}

/** The Lambda SQS event of received messages (ReceiveMessage with MessageSystemAttributeNames All). */
export function toSqsEvent(messages: Message[], queueUrl: string, region = 'us-east-1'): SQSEvent {
  const arn = queueArnFromUrl(queueUrl, region);
  const Records = messages.map(
    (m): SQSRecord => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? '',
        SenderId: m.Attributes?.SenderId ?? '',
        ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? '',
        ...(m.Attributes?.MessageGroupId ? { MessageGroupId: m.Attributes.MessageGroupId } : {}),
        ...(m.Attributes?.MessageDeduplicationId ? { MessageDeduplicationId: m.Attributes.MessageDeduplicationId } : {}),
        ...(m.Attributes?.SequenceNumber ? { SequenceNumber: m.Attributes.SequenceNumber } : {}),
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: arn,
      awsRegion: region,
    }),
  );
  return { Records };
}

export interface DeliveryResult {
  received: number;
  deleted: number;
  failed: number;
  response?: SQSBatchResponse;
}

/** One receive → handle → delete round. `waitTimeSeconds` > 0 long-polls. */
export async function deliverOnce(opts: {
  sqs: SqsApi;
  queueUrl: string;
  handler: SqsBatchHandler;
  maxMessages?: number;
  waitTimeSeconds?: number;
  region?: string;
}): Promise<DeliveryResult> {
  const { sqs, queueUrl, handler } = opts;
  const out = await sqs.receiveMessage({
    QueueUrl: queueUrl,
    MaxNumberOfMessages: opts.maxMessages ?? 10,
    WaitTimeSeconds: opts.waitTimeSeconds ?? 0,
    MessageSystemAttributeNames: ['All'],
  });
  const messages = out.Messages ?? [];
  if (messages.length === 0) return { received: 0, deleted: 0, failed: 0 };
  const response = await handler(toSqsEvent(messages, queueUrl, opts.region));
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
  for (let i = 0; i < done.length; i += 10) {
    await sqs.deleteMessageBatch({
      QueueUrl: queueUrl,
      Entries: done.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle ?? '' })),
    });
  }
  return { received: messages.length, deleted: done.length, failed: failed.size, response };
}
