import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * One SQS client per cold start. `endpoint` (SQS_ENDPOINT) points it at a local server such as
 * fauxqs, which needs some credentials but checks none.
 */
let cached: { key: string; client: SQSClient } | undefined;

export function getSqsClient(opts: { endpoint?: string; region?: string } = {}): SQSClient {
  const key = `${opts.endpoint ?? ''}|${opts.region ?? ''}`;
  if (cached?.key !== key) {
    const local = opts.endpoint !== undefined && !process.env.AWS_ACCESS_KEY_ID;
    const client = new SQSClient({
      region: opts.region ?? process.env.AWS_REGION ?? 'us-east-1',
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    });
    cached = { key, client };
  }
  return cached.client;
}
