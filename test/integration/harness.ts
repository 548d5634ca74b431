/**
 * The bed of the reconcile integration tests: two emulated clusters (ironcore, apinet) and a real
 * SQS server (fauxqs) with the queues of serverless.yml, over real HTTP. Reconcile handlers are
 * fed real SQS batches exactly as Lambda's event source does (receive → handler → delete successes).
 */
import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { RealPair } from '../../infra/real/pair.ts';
import { startTestClusters, type ServerTier, type TestCluster } from '../servers.ts';
import { startLocalSqs, type LocalSqs } from '../../infra/local/stack/queues.ts';
import { PRIMARY_KINDS, core, type PrimaryKind } from '../../shared/api/resources.ts';
import { createKubeClient, loadKubeConfig, type KubeClient } from '../../shared/kube/index.ts';
import type { KubeObject } from '../../shared/kube/types.ts';
import { createReconcileHandler, type ReconcileContext, type SqsBatchHandler } from '../../shared/queue/consumer.ts';
import { deliverOnce } from '../../shared/queue/delivery.ts';
import { createSqsEnqueuer, type SqsEnqueuer } from '../../shared/queue/enqueue.ts';
import { createSqsClient, type SqsApi } from '../../shared/queue/sqs.ts';
import type { QueueMessage } from '../../shared/queue/message.ts';
import { reconcilerFor, type KindReconciler, type ReconcileEnv, type ReconcileSettings } from '../../shared/reconcile/runtime.ts';

process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

export const APINET_NAMESPACE = 'apinet';

export interface Harness {
  /** The clusters: emulators, or real servers behind a counting front (test/servers.ts). */
  ironcoreEmulator: TestCluster;
  apinetEmulator: TestCluster;
  tier: ServerTier;
  /** The real servers (real tier only). */
  real?: RealPair;
  sqs: LocalSqs;
  sqsClient: SQSClient;
  /** The project's own SQS client (what the functions use) on the same server. */
  sqsApi: SqsApi;
  /** Clients of the tests themselves (cluster admin). */
  ironcore: KubeClient;
  apinet: KubeClient;
  /** The functions' environment; its clients are the admin ones on the emulator and the service
   *  accounts of the shipped RBAC on real servers. */
  env: ReconcileEnv;
  enqueuer: SqsEnqueuer;
  /** The Lambda handler of a kind's reconcile function, wired to the harness' clusters and queue. */
  handlerFor<T extends KubeObject>(reconciler: KindReconciler<T>): SqsBatchHandler;
  /** Puts a key on its kind's queue (as the resync would: never dropped as a duplicate). */
  trigger(kind: PrimaryKind, namespace: string, name: string, extra?: Partial<QueueMessage>): Promise<void>;
  /**
   * Delivers the kind's queue to its handler until nothing is left (visible or in flight) or
   * `timeoutMs` passes; returns how many deliveries were made.
   */
  drain<T extends KubeObject>(reconciler: KindReconciler<T>, opts?: { timeoutMs?: number }): Promise<{ deliveries: number; remaining: number }>;
  /** trigger + drain. */
  reconcile<T extends KubeObject>(reconciler: KindReconciler<T>, namespace: string, name: string, extra?: Partial<QueueMessage>): Promise<void>;
  /** Creates an ironcore namespace. */
  namespace(name: string): Promise<void>;
  /**
   * Real tier: stops the ironcore-net controller-manager (the emulator has none). Its own
   * NATGatewayAutoscaler rewrites NATGateway spec.ips (rounding down), so tests of the resync's NAT
   * autoscaling, which must be the only writer there, run without it.
   */
  stopApinetControllers(): Promise<void>;
  stop(): Promise<void>;
}

const silent = new Logger({ logLevel: 'SILENT' });
const metrics = new Metrics({ namespace: 'apinetlet-test' });

export async function startHarness(opts: { settings?: Partial<ReconcileSettings>; logLevel?: string } = {}): Promise<Harness> {
  const [clusters, sqs] = await Promise.all([
    startTestClusters({ apinetNamespace: APINET_NAMESPACE }),
    startLocalSqs({ serverlessYmlPath: new URL('../../serverless.yml', import.meta.url).pathname }),
  ]);
  const { ironcore: ironcoreEmulator, apinet: apinetEmulator } = clusters;
  const sqsClient = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const sqsApi = createSqsClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const ironcore = createKubeClient(loadKubeConfig(ironcoreEmulator.kubeconfig(), 'ironcore kubeconfig'));
  const apinet = createKubeClient(loadKubeConfig(apinetEmulator.kubeconfig(), 'apinet kubeconfig'));
  const settings: ReconcileSettings = { apinetNamespace: APINET_NAMESPACE, nodeAffinityAware: false, peeringDisabled: false, ...opts.settings };
  const functions =
    clusters.tier === 'emulator'
      ? { ironcore, apinet }
      : {
          ironcore: createKubeClient(loadKubeConfig(clusters.functionKubeconfigs.ironcore, 'ironcore service-account kubeconfig')),
          apinet: createKubeClient(loadKubeConfig(clusters.functionKubeconfigs.apinet, 'apinet service-account kubeconfig')),
        };
  const env: ReconcileEnv = { ...functions, settings, now: () => new Date() };
  const enqueuer = createSqsEnqueuer({ client: sqsApi, queueUrls: sqs.queues });
  const logger = opts.logLevel ? new Logger({ logLevel: opts.logLevel as never }) : silent;
  const handlers = new Map<PrimaryKind, SqsBatchHandler>();

  const handlerFor = <T extends KubeObject>(reconciler: KindReconciler<T>): SqsBatchHandler => {
    let h = handlers.get(reconciler.kind);
    if (!h) {
      h = createReconcileHandler({ kind: reconciler.kind, reconcile: reconcilerFor(reconciler, env), sqs: sqsApi, queueUrl: sqs.queues[reconciler.kind], logger, metrics });
      handlers.set(reconciler.kind, h);
    }
    return h;
  };

  const trigger = (kind: PrimaryKind, namespace: string, name: string, extra: Partial<QueueMessage> = {}) =>
    enqueuer.enqueue([{ v: 1, kind, namespace, name, source: 'resync', run: randomUUID(), ...extra }]);

  const inQueue = async (kind: PrimaryKind) => {
    const out = await sqsClient.send(
      new GetQueueAttributesCommand({ QueueUrl: sqs.queues[kind], AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  };

  const drain = async <T extends KubeObject>(reconciler: KindReconciler<T>, o: { timeoutMs?: number } = {}) => {
    const handler = handlerFor(reconciler);
    const deadline = Date.now() + (o.timeoutMs ?? 20_000);
    let deliveries = 0;
    while (Date.now() < deadline) {
      const r = await deliverOnce({ sqs: sqsApi, queueUrl: sqs.queues[reconciler.kind], handler });
      deliveries += r.received ? 1 : 0;
      if (r.received === 0) {
        if ((await inQueue(reconciler.kind)) === 0) return { deliveries, remaining: 0 };
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    return { deliveries, remaining: await inQueue(reconciler.kind) };
  };

  return {
    ironcoreEmulator,
    apinetEmulator,
    tier: clusters.tier,
    real: clusters.real,
    sqs,
    sqsClient,
    sqsApi,
    ironcore,
    apinet,
    env,
    enqueuer,
    handlerFor,
    trigger,
    drain,
    async reconcile(reconciler, namespace, name, extra) {
      await trigger(reconciler.kind, namespace, name, extra);
      const r = await drain(reconciler);
      if (r.remaining) throw new Error(`${reconciler.kind} ${namespace}/${name}: ${r.remaining} message(s) still queued after draining`);
    },
    async stopApinetControllers() {
      await clusters.real?.apinet.processes.find((p) => p.name === 'apinet-controller-manager')?.stop();
    },
    async namespace(name) {
      await ironcore.apply(core.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'test' });
    },
    async stop() {
      sqsClient.destroy();
      await Promise.allSettled([clusters.stop(), sqs.stop()]);
    },
  };
}

export { PRIMARY_KINDS };

/** API calls one cluster served during a measured run (emulator counters + the function's own client). */
export interface ApiCallCounts {
  /** Every request the emulator served, per `<verb> <resource>` (e.g. `patch networks/status`). */
  byVerb: Record<string, number>;
  total: number;
  /** Server-side applies (the client's `apply` calls). */
  applies: number;
  /** create/update/patch/delete/deletecollection requests, applies included. */
  writes: number;
  /** Writes that are not applies. */
  nonApplyWrites: number;
}

const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];

function apiCallsOf(counters: TestCluster['counters'], clientCounts: Record<string, number>): ApiCallCounts {
  const applies = Object.entries(clientCounts).reduce((n, [k, v]) => n + (k.startsWith('apply ') ? v : 0), 0);
  const writes = WRITE_VERBS.reduce((n, v) => n + counters.get(v), 0);
  return { byVerb: counters.snapshot(), total: counters.get(), applies, writes, nonApplyWrites: writes - applies };
}

/** API calls per cluster made while `run` runs (typically one reconcile): counters are reset first. */
export async function measureApiCalls(h: Harness, run: () => Promise<void>): Promise<{ ironcore: ApiCallCounts; apinet: ApiCallCounts }> {
  h.ironcoreEmulator.counters.reset();
  h.apinetEmulator.counters.reset();
  h.env.ironcore.takeApiCallCounts();
  h.env.apinet.takeApiCallCounts();
  await run();
  return {
    ironcore: apiCallsOf(h.ironcoreEmulator.counters, h.env.ironcore.takeApiCallCounts()),
    apinet: apiCallsOf(h.apinetEmulator.counters, h.env.apinet.takeApiCallCounts()),
  };
}

/** A reconcile context for calling a reconciler directly (outside the SQS handler). */
export function testReconcileContext(): ReconcileContext {
  return { logger: silent, receiveCount: 1, messageId: 'test' };
}
