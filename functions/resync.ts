// Scheduled resync Lambda (ARCHITECTURE.md section 6): full resync, orphan sweep, NAT gateway autoscaling.
import type { Context, ScheduledEvent } from 'aws-lambda';
import { loadConfig } from '../shared/config.ts';
import { getKubeClient } from '../shared/kube/client.ts';
import { getLogger } from '../shared/log.ts';
import { createSqsEnqueuer } from '../shared/queue/enqueue.ts';
import { getSqsClient } from '../shared/queue/sqs.ts';
import { resolveSecrets } from '../shared/secrets.ts';
import { runResync, type ResyncSummary } from '../shared/resync/index.ts';
import { redriveAllKinds, type RedriveSummary } from '../shared/resync/redrive.ts';

const config = loadConfig(process.env, { queues: 'all' });
const secrets = await resolveSecrets(config, { kubeconfigs: true });
const deps = {
  ironcore: getKubeClient(secrets.ironcoreKubeconfig, 'IRONCORE_KUBECONFIG'),
  apinet: getKubeClient(secrets.apinetKubeconfig, 'APINET_KUBECONFIG'),
  enqueuer: createSqsEnqueuer({ client: getSqsClient({ endpoint: config.sqsEndpoint, region: config.awsRegion }), queueUrls: config.queueUrls }),
  logger: getLogger(),
};

const sqs = getSqsClient({ endpoint: config.sqsEndpoint, region: config.awsRegion });

/** `{ "redrive": true }` is the input of the daily redrive schedule (serverless.yml `redriveSchedule`). */
export const handler = (event: (Partial<ScheduledEvent> & { redrive?: boolean }) | undefined, context: Context): Promise<ResyncSummary | RedriveSummary> =>
  event?.redrive === true ? redriveAllKinds({ sqs, queueUrls: config.queueUrls, logger: deps.logger, run: event.id }) : runResync(deps, {
    apinetNamespace: config.apinetNamespace,
    watchFilter: config.watchFilter,
    natAutoscaling: config.natAutoscaling,
    // The schedule event's id: a retried invocation of the same event re-sends identical messages, which SQS drops.
    run: event?.id,
    remainingMs: () => context.getRemainingTimeInMillis(),
  });
