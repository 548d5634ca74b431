// Admission webhook Lambda (ARCHITECTURE.md section 4): API Gateway HTTP API → the Hono app.
import { handle } from 'hono/aws-lambda';
import { createAdmissionApp } from '../shared/admission/app.ts';
import { loadConfig } from '../shared/config.ts';
import { createSqsEnqueuer } from '../shared/queue/enqueue.ts';
import { getSqsClient } from '../shared/queue/sqs.ts';

const config = loadConfig(process.env, { webhookToken: true, queues: 'all' });
const enqueue = createSqsEnqueuer({
  client: getSqsClient({ endpoint: config.sqsEndpoint, region: config.awsRegion }),
  queueUrls: config.queueUrls,
});

export const handler = handle(
  createAdmissionApp({ enqueue, token: config.webhookToken ?? '', watchFilter: config.watchFilter }),
);
