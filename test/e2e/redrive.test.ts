/**
 * Issue 13 part 6 on the local stack: a key that fails maxReceiveCount times on the stack's own
 * fauxqs queue lands in the dead-letter queue; the scheduled redrive (stack.redriveNow, the timer
 * of serverless.yml's redriveSchedule) puts it back and, the cause gone, the key converges.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createIroncore, ensureNamespace } from '../../infra/local/stack/demo.ts';
import { redriveIntervalSeconds } from '../../infra/local/stack/redrive-schedule.ts';
import { apinet, ironcore } from '../../shared/api/resources.ts';
import { createReconcileHandler } from '../../shared/queue/consumer.ts';
import { deliverOnce } from '../../shared/queue/delivery.ts';
import { deadLetterQueueUrlOf, redriveDeadLetters } from '../../shared/queue/redrive.ts';
import { createSqsClient } from '../../shared/queue/sqs.ts';
import { startE2E, until, type E2E } from './helpers.ts';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';
let e2e: E2E;
beforeAll(async () => {
  // no resync during the test: only the redrive may bring the key back
  e2e = await startE2E({ APINETLET_RESYNC_INTERVAL: '3600' });
}, 60_000);
afterAll(async () => {
  await e2e?.stop();
});

describe('dead-letter redrive on the local stack', () => {
  it('reads the schedule from serverless.yml; APINETLET_REDRIVE_INTERVAL overrides it', () => {
    expect(redriveIntervalSeconds('params:\n  default:\n    redriveSchedule: rate(1 day)\n')).toBe(86_400);
    expect(redriveIntervalSeconds('    redriveSchedule: rate(30 minutes)', '')).toBe(1800);
    expect(redriveIntervalSeconds('    redriveSchedule: rate(1 day)', '15')).toBe(15);
    expect(() => redriveIntervalSeconds('    redriveSchedule: rate(1 day)', 'soon')).toThrow(/APINETLET_REDRIVE_INTERVAL/);
  });

  it('a dead-lettered Network is listed, then redriven by the scheduled redrive and converges', async () => {
    const { stack, c } = e2e;
    const sqs = createSqsClient({ endpoint: stack.info.sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const queueUrl = stack.info.sqs.queues.Network;
    const dlqUrl = deadLetterQueueUrlOf(queueUrl);
    await ensureNamespace(c, 'dlq');
    await stack.pauseReconcilers();
    const net = await createIroncore(c, { apiVersion: 'networking.ironcore.dev/v1alpha1', kind: 'Network', metadata: { namespace: 'dlq', name: 'parked' }, spec: {} });
    // the cause: a reconcile that fails every time, until the key is dead-lettered (maxReceiveCount 5)
    const failing = createReconcileHandler({
      kind: 'Network',
      reconcile: async () => {
        throw new Error('apinet cluster unreachable');
      },
      sqs,
      queueUrl,
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'apinetlet-test' }),
      backoff: { capSeconds: 0 },
    });
    for (let i = 0; i < 8; i++) await deliverOnce({ sqs, queueUrl, handler: failing });
    const dry = await redriveDeadLetters({ sqs, queueUrl, deadLetterQueueUrl: dlqUrl, dryRun: true });
    expect(dry.listed.map((d) => d.key)).toContain('dlq/parked');
    expect(dry.listed.find((d) => d.key === 'dlq/parked')!.receiveCount).toBeGreaterThanOrEqual(5);
    expect(dry.moved).toBe(0);

    // the cause is fixed (the real reconcilers run again), but nothing is on the main queue
    stack.resumeReconcilers();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await c.apinet.get(apinet.Network, c.apinetNamespace, net.metadata.uid!)).toBeUndefined();

    const summary = await stack.redriveNow();
    expect(summary.moved.Network).toBeGreaterThanOrEqual(1);
    expect(summary.errors).toBe(0);
    await until('apinet Network of dlq/parked', () => c.apinet.get(apinet.Network, c.apinetNamespace, net.metadata.uid!));
    await until('providerID on dlq/parked', async () => ((await c.ironcore.get(ironcore.Network, 'dlq', 'parked'))?.spec as { providerID?: string })?.providerID);
    expect((await redriveDeadLetters({ sqs, queueUrl, deadLetterQueueUrl: dlqUrl, dryRun: true })).listed).toEqual([]);
  }, 60_000);
});
