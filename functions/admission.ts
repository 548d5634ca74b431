// Admission webhook Lambda (ARCHITECTURE.md section 4): API Gateway HTTP API → the Hono app.
import { handle } from 'hono/aws-lambda';
import { createAdmissionApp } from '../shared/admission/app.ts';
import { loadConfig } from '../shared/config.ts';
import { createSqsEnqueuer } from '../shared/queue/enqueue.ts';
import { getSqsClient } from '../shared/queue/sqs.ts';
import { resolveSecrets } from '../shared/secrets.ts';

const config = loadConfig(process.env, { webhookToken: true, queues: 'all' });
// The token from SSM (WEBHOOK_TOKEN_PARAMETER), checked now and re-read every POWERTOOLS_PARAMETERS_MAX_AGE seconds.
const secrets = await resolveSecrets(config, { webhookToken: true });
const enqueue = createSqsEnqueuer({
  client: getSqsClient({ endpoint: config.sqsEndpoint, region: config.awsRegion }),
  queueUrls: config.queueUrls,
});

export const handler = handle(
  createAdmissionApp({ enqueue, token: secrets.webhookTokens, watchFilter: config.watchFilter }),
);
