/**
 * A 429 Too Many Requests with Retry-After (API Priority and Fairness) through the whole reconcile
 * path (issue 12): the Lambda clients' budget (shared/kube/transport.ts withBudget) waits as the
 * server says and retries, so the reconcile succeeds in the same delivery and the message is not a
 * failure (no partial batch failure, deleted on the first receive). Without the budget the same
 * fault fails the delivery: the test can tell the two apart. The 429s come from the emulator's
 * fault injection (or the real tier's counting front), Retry-After: 1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APINET_NAMESPACE, startHarness, type Harness } from '../harness.ts';
import { apinet, apiVersionOf, ironcore } from '../../../shared/api/resources.ts';
import { createKubeClient, loadKubeConfig, type KubeClient } from '../../../shared/kube/index.ts';
import { createReconcileHandler } from '../../../shared/queue/consumer.ts';
import { deliverOnce } from '../../../shared/queue/delivery.ts';
import { reconcilerFor, type ReconcileEnv } from '../../../shared/reconcile/runtime.ts';
import { virtualIpReconciler } from '../../../shared/reconcile/virtualip.ts';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

/** A handler for VirtualIPs whose clients have (or lack) the Lambda's request budget and 429 waits. */
function handlerWith(budget: boolean) {
  const client = (kubeconfig: string, what: string): KubeClient =>
    createKubeClient(loadKubeConfig(kubeconfig, what), budget ? { budget: { budget: { qps: 50, burst: 50 }, retry429: { maxRetries: 3, maxWaitSeconds: 10 } } } : {});
  const env: ReconcileEnv = {
    ironcore: client(h.ironcoreEmulator.kubeconfig(), 'ironcore kubeconfig'),
    apinet: client(h.apinetEmulator.kubeconfig(), 'apinet kubeconfig'),
    settings: h.env.settings,
    now: () => new Date(),
  };
  return createReconcileHandler({
    kind: 'VirtualIP',
    reconcile: reconcilerFor(virtualIpReconciler, env),
    sqs: h.sqsApi,
    queueUrl: h.sqs.queues.VirtualIP,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'apinetlet-test' }),
  });
}

async function createVip(ns: string, name: string) {
  await h.namespace(ns);
  return h.ironcore.apply(
    ironcore.VirtualIP,
    { apiVersion: apiVersionOf(ironcore.VirtualIP), kind: 'VirtualIP', metadata: { name, namespace: ns }, spec: { type: 'Public', ipFamily: 'IPv4' } },
    { fieldManager: 'test' },
  );
}

/** One SQS delivery of the VirtualIP queue (the message was just put there). */
async function deliver(handler: ReturnType<typeof handlerWith>) {
  for (let i = 0; i < 50; i++) {
    const r = await deliverOnce({ sqs: h.sqsApi, queueUrl: h.sqs.queues.VirtualIP, handler, waitTimeSeconds: 1 });
    if (r.received) return r;
  }
  throw new Error('no message delivered');
}

describe('429 with Retry-After', () => {
  it('the budgeted clients wait Retry-After and retry: the reconcile succeeds in the same delivery, no failure', async () => {
    const vip = await createVip('vip-429', 'vip1');
    // The first two applies of the apinet IP answer 429 (Retry-After: 1).
    h.apinetEmulator.faults.inject({ verb: 'patch', resource: 'ips', status: 429, count: 2 });
    try {
      await h.trigger('VirtualIP', 'vip-429', 'vip1');
      const started = Date.now();
      const r = await deliver(handlerWith(true));
      const elapsed = Date.now() - started;
      expect(r).toMatchObject({ received: 1, deleted: 1, failed: 0 });
      // Two waits of Retry-After = 1 s each.
      expect(elapsed).toBeGreaterThanOrEqual(2_000);
      const ip = await h.apinet.get(apinet.IP, APINET_NAMESPACE, vip.metadata.uid!);
      const addr = (ip?.spec as { ip?: string } | undefined)?.ip;
      expect(addr).toBeTruthy();
      expect(((await h.ironcore.get(ironcore.VirtualIP, 'vip-429', 'vip1'))?.status as { ip?: string } | undefined)?.ip).toBe(addr);
    } finally {
      h.apinetEmulator.faults.clear();
    }
  });

  it('without the budget the same 429 fails the delivery (the difference the budget makes)', async () => {
    await createVip('vip-429b', 'vip1');
    h.apinetEmulator.faults.inject({ verb: 'patch', resource: 'ips', status: 429, count: 1 });
    try {
      await h.trigger('VirtualIP', 'vip-429b', 'vip1');
      const r = await deliver(handlerWith(false));
      expect(r).toMatchObject({ received: 1, deleted: 0, failed: 1 });
    } finally {
      h.apinetEmulator.faults.clear();
    }
  });
});
