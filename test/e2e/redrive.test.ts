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
import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { createKubeClient, loadKubeConfig } from '../../shared/kube/index.ts';
import { kindReconcilers } from '../../shared/reconcile/index.ts';
import { reconcilerFor } from '../../shared/reconcile/runtime.ts';
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

/** Delivers the key on `queueUrl` through a handler with `reconcile` until SQS dead-letters it (maxReceiveCount 5). */
async function deadLetter(sqs: ReturnType<typeof createSqsClient>, queueUrl: string, kind: 'Network' | 'VirtualIP', reconcile: Parameters<typeof createReconcileHandler>[0]['reconcile']): Promise<void> {
  const handler = createReconcileHandler({
    kind,
    reconcile,
    sqs,
    queueUrl,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'apinetlet-test' }),
    backoff: { capSeconds: 0 },
  });
  for (let i = 0; i < 8; i++) await deliverOnce({ sqs, queueUrl, handler });
}

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
    await deadLetter(sqs, queueUrl, 'Network', async () => {
      throw new Error('apinet cluster unreachable');
    });
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

  it('npm run redrive shows the last error of a dead-lettered key: the Warning the real reconcile recorded', async () => {
    const { stack, c } = e2e;
    const sqs = createSqsClient({ endpoint: stack.info.sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const queueUrl = stack.info.sqs.queues.VirtualIP;
    await ensureNamespace(c, 'dlq');
    await stack.pauseReconcilers();
    const vip = await createIroncore(c, { apiVersion: 'networking.ironcore.dev/v1alpha1', kind: 'VirtualIP', metadata: { namespace: 'dlq', name: 'unreachable' }, spec: { type: 'Public', ipFamily: 'IPv4' } });
    // the cause: the real VirtualIP reconcile with an apinet cluster that does not answer
    const apinetText = readFileSync(stack.info.apinet.kubeconfig, 'utf8').replace(/server: \S+/, 'server: https://127.0.0.1:9');
    await deadLetter(sqs, queueUrl, 'VirtualIP', reconcilerFor(kindReconcilers.VirtualIP, {
      ironcore: c.ironcore,
      apinet: createKubeClient(loadKubeConfig(apinetText, 'unreachable apinet kubeconfig')),
      settings: { apinetNamespace: c.apinetNamespace, nodeAffinityAware: false, peeringDisabled: false },
      now: () => new Date(),
    }));

    const cli = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, ['--import', 'tsx', 'infra/local/redrive.ts', ...args], { cwd: new URL('../..', import.meta.url).pathname, env: { ...process.env, SQS_ENDPOINT: stack.info.sqs.endpoint, AWS_REGION: 'us-east-1', IRONCORE_KUBECONFIG: '' } }, (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const withEvents = await cli(['--kind', 'VirtualIP', '--queue-url', queueUrl, '--dry-run', '--ironcore-kubeconfig', stack.info.ironcore.kubeconfig]);
    expect(withEvents.stderr).toBe('');
    expect(withEvents.code).toBe(0);
    const line = withEvents.stdout.split('\n').findIndex((l) => l.includes('dlq/unreachable'));
    expect(line, withEvents.stdout).toBeGreaterThanOrEqual(0);
    // the Warning of the failed step, with the connection error, counted once per failed delivery
    expect(withEvents.stdout.split('\n')[line + 1]).toMatch(/^ {4}last error: [A-Z][A-Za-z]+Failed: .*(ECONNREFUSED|connect).* \((\d+) times, last \d{4}-\d\d-\d\dT/);
    const times = Number(/\((\d+) times/.exec(withEvents.stdout.split('\n')[line + 1]!)![1]);
    expect(times).toBeGreaterThanOrEqual(5);
    // without a kubeconfig the tool says so instead of guessing
    const without = await cli(['--kind', 'VirtualIP', '--queue-url', queueUrl, '--dry-run']);
    expect(without.code).toBe(0);
    expect(without.stdout).toMatch(/last error: not looked up \(no ironcore kubeconfig; pass --ironcore-kubeconfig\)/);

    // clean up: the key goes back and converges with the real reconcilers
    stack.resumeReconcilers();
    expect((await redriveDeadLetters({ sqs, queueUrl, deadLetterQueueUrl: deadLetterQueueUrlOf(queueUrl) })).moved).toBeGreaterThanOrEqual(1);
    await until('apinet IP of dlq/unreachable', () => c.apinet.get(apinet.IP, c.apinetNamespace, vip.metadata.uid!));
  }, 90_000);
});
