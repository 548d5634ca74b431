import { createAwsJsonClient, type AwsCredentials } from '../aws/json-client.ts';

/**
 * The SQS calls of the functions and the local stack (SQS JSON protocol, SigV4 by aws4fetch; no
 * AWS SDK in the bundles). Field names are SQS' own, as in the API reference and the SDK.
 */
export interface SqsMessage {
  MessageId?: string;
  ReceiptHandle?: string;
  Body?: string;
  MD5OfBody?: string;
  Attributes?: Record<string, string>;
}

export interface SendMessageBatchRequestEntry {
  Id: string;
  MessageBody: string;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
  DelaySeconds?: number;
}

export interface BatchResultErrorEntry {
  Id: string;
  Code?: string;
  Message?: string;
  SenderFault?: boolean;
}

export interface SqsApi {
  sendMessageBatch(input: { QueueUrl: string; Entries: SendMessageBatchRequestEntry[] }): Promise<{ Successful?: { Id: string; MessageId?: string }[]; Failed?: BatchResultErrorEntry[] }>;
  changeMessageVisibility(input: { QueueUrl: string; ReceiptHandle: string; VisibilityTimeout: number }): Promise<void>;
  changeMessageVisibilityBatch(input: {
    QueueUrl: string;
    Entries: { Id: string; ReceiptHandle: string; VisibilityTimeout: number }[];
  }): Promise<{ Failed?: BatchResultErrorEntry[] }>;
  receiveMessage(input: {
    QueueUrl: string;
    MaxNumberOfMessages?: number;
    WaitTimeSeconds?: number;
    VisibilityTimeout?: number;
    MessageSystemAttributeNames?: string[];
  }): Promise<{ Messages?: SqsMessage[] }>;
  deleteMessageBatch(input: { QueueUrl: string; Entries: { Id: string; ReceiptHandle: string }[] }): Promise<{ Failed?: BatchResultErrorEntry[] }>;
}

export interface SqsClientOptions {
  /** SQS_ENDPOINT: a local server such as fauxqs (which needs some credentials but checks none). */
  endpoint?: string;
  region?: string;
  credentials?: AwsCredentials;
  /** Per-request timeout (a long poll's wait is added); default 10 s. */
  timeoutMs?: number;
}

export function createSqsClient(opts: SqsClientOptions = {}): SqsApi {
  const base = { service: 'sqs', targetPrefix: 'AmazonSQS', jsonVersion: '1.0' as const, region: opts.region, endpoint: opts.endpoint, credentials: opts.credentials };
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const client = createAwsJsonClient({ ...base, timeoutMs });
  const longPoll = new Map<number, ReturnType<typeof createAwsJsonClient>>();
  return {
    sendMessageBatch: (input) => client.call('SendMessageBatch', input),
    changeMessageVisibility: async (input) => {
      await client.call('ChangeMessageVisibility', input);
    },
    changeMessageVisibilityBatch: (input) => client.call('ChangeMessageVisibilityBatch', input),
    receiveMessage: (input) => {
      const wait = input.WaitTimeSeconds ?? 0;
      if (wait === 0) return client.call('ReceiveMessage', input);
      let c = longPoll.get(wait);
      if (!c) longPoll.set(wait, (c = createAwsJsonClient({ ...base, timeoutMs: timeoutMs + wait * 1000 })));
      return c.call('ReceiveMessage', input);
    },
    deleteMessageBatch: (input) => client.call('DeleteMessageBatch', input),
  };
}

/** One SQS client per cold start (per endpoint and region). */
let cached: { key: string; client: SqsApi } | undefined;

export function getSqsClient(opts: { endpoint?: string; region?: string } = {}): SqsApi {
  const key = `${opts.endpoint ?? ''}|${opts.region ?? ''}`;
  if (cached?.key !== key) cached = { key, client: createSqsClient(opts) };
  return cached.client;
}
