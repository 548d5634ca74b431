// Watch webhook Lambda (ARCHITECTURE.md section 5): API Gateway HTTP API → the Hono app.
import { handle } from 'hono/aws-lambda';
import { loadConfig } from '../shared/config.ts';
import { createWatchApp } from '../shared/events/app.ts';
import { kubeLookups } from '../shared/events/kube-lookups.ts';
import { getKubeClient } from '../shared/kube/client.ts';
import { createSqsEnqueuer } from '../shared/queue/enqueue.ts';
import { getSqsClient } from '../shared/queue/sqs.ts';
import { resolveSecrets } from '../shared/secrets.ts';

const config = loadConfig(process.env, { webhookToken: true, queues: 'all' });
// Kubeconfigs and the token from SSM where *_PARAMETER names them (read at cold start; the token re-read after maxAge).
const secrets = await resolveSecrets(config, { kubeconfigs: true, webhookToken: true });
const enqueue = createSqsEnqueuer({
  client: getSqsClient({ endpoint: config.sqsEndpoint, region: config.awsRegion }),
  queueUrls: config.queueUrls,
});
const lookups = kubeLookups({
  ironcore: getKubeClient(secrets.ironcoreKubeconfig, 'IRONCORE_KUBECONFIG'),
  apinet: getKubeClient(secrets.apinetKubeconfig, 'APINET_KUBECONFIG'),
});

export const handler = handle(
  createWatchApp({ enqueue, token: secrets.webhookTokens, lookups, watchFilter: config.watchFilter }),
);
