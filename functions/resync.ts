// Scheduled resync Lambda (ARCHITECTURE.md section 6): full resync, orphan sweep, NAT gateway autoscaling.
import type { Context, ScheduledEvent } from 'aws-lambda';
import { loadConfig } from '../shared/config.ts';
import { getKubeClient } from '../shared/kube/client.ts';
import { getLogger, getMetrics } from '../shared/log.ts';
import { createSqsEnqueuer } from '../shared/queue/enqueue.ts';
import { getSqsClient } from '../shared/queue/sqs.ts';
import { resolveSecrets } from '../shared/secrets.ts';
import { runResync, type ResyncSummary } from '../shared/resync/index.ts';
import { redriveAllKinds, type RedriveSummary } from '../shared/resync/redrive.ts';

const config = loadConfig(process.env, { queues: 'all' });
const secrets = await resolveSecrets(config, { kubeconfigs: true });
const deps = {
  ironcore: getKubeClient(secrets.ironcoreKubeconfig, 'IRONCORE_KUBECONFIG', { budget: { budget: config.kubeBudget } }),
  apinet: getKubeClient(secrets.apinetKubeconfig, 'APINET_KUBECONFIG', { budget: { budget: config.kubeBudget } }),
  enqueuer: createSqsEnqueuer({ client: getSqsClient({ endpoint: config.sqsEndpoint, region: config.awsRegion }), queueUrls: config.queueUrls }),
  logger: getLogger(),
  metrics: getMetrics(),
};

const sqs = getSqsClient({ endpoint: config.sqsEndpoint, region: config.awsRegion });

/**
 * The schedules of serverless.yml pass `{ id, mode }`: `drift` (frequent: only keys whose listed
 * state differs) or `full` (the long safety-net schedule: every key); a plain scheduled event is a
 * full run. `{ "redrive": true }` is the input of the daily redrive schedule (`redriveSchedule`).
 */
type ResyncEvent = Partial<ScheduledEvent> & { mode?: string; redrive?: boolean };

export const handler = (event: ResyncEvent | undefined, context: Context): Promise<ResyncSummary | RedriveSummary> =>
  event?.redrive === true ? redriveAllKinds({ sqs, queueUrls: config.queueUrls, logger: deps.logger, run: event.id }) : runResync(deps, {
    mode: event?.mode === 'drift' ? 'drift' : 'full',
    peeringDisabled: config.disableNetworkPeering,
    nodeAffinityAware: config.nodeAffinityAware,
    apinetNamespace: config.apinetNamespace,
    watchFilter: config.watchFilter,
    natAutoscaling: config.natAutoscaling,
    // The schedule event's id: a retried invocation of the same event re-sends identical messages, which SQS drops.
    run: event?.id,
    remainingMs: () => context.getRemainingTimeInMillis(),
  });
