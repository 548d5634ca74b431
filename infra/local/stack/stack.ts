/**
 * The local stack (ARCHITECTURE.md 8) as a library: emulated ironcore and apinet clusters, a local
 * SQS server with the queues of serverless.yml, the admission and watch functions over HTTPS
 * registered in the clusters through the shipped webhook configurations, and the reconcile
 * handlers fed by SQS long polling. main.ts is the CLI around it; the e2e tests use it in-process.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createAdmissionApp } from '../../../shared/admission/app.ts';
import { core, PRIMARY_KINDS, type PrimaryKind } from '../../../shared/api/resources.ts';
import { loadConfig, type Config } from '../../../shared/config.ts';
import { createWatchApp } from '../../../shared/events/app.ts';
import { kubeLookups } from '../../../shared/events/kube-lookups.ts';
import { createKubeClient, loadKubeConfig, type KubeClient } from '../../../shared/kube/index.ts';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../../shared/log.ts';
import { createReconcileHandler, type SqsBatchHandler } from '../../../shared/queue/consumer.ts';
import { createSqsEnqueuer } from '../../../shared/queue/enqueue.ts';
import { createSqsClient } from '../../../shared/queue/sqs.ts';
import { runResync, type ResyncSummary } from '../../../shared/resync/index.ts';
import { reconcileSettingsFromConfig } from '../../../shared/reconcile/lambda.ts';
import { reconcilerFor, type KindReconciler, type ReconcileEnv } from '../../../shared/reconcile/runtime.ts';
import { startEmulator, type Emulator } from '../emulator/index.ts';
import { startRealPair, type RealPair } from '../../real/pair.ts';
import { makeServerTls } from '../emulator/tls.ts';
import { serveHttps, type HttpsFunction } from './https.ts';
import { startPollers, type Pollers } from './pollers.ts';
import { startLocalSqs, type LocalSqs } from './queues.ts';
import { redriveAllKinds, type RedriveSummary } from '../../../shared/resync/redrive.ts';
import { redriveIntervalSeconds } from './redrive-schedule.ts';
import { registerWebhooks } from './webhooks.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** DIR/stack.json — exactly these fields (contract of ARCHITECTURE.md 8). */
export interface StackInfo {
  ironcore: { server: string; kubeconfig: string };
  apinet: { server: string; kubeconfig: string; namespace: string };
  sqs: { endpoint: string; queues: Record<PrimaryKind, string> };
  functions: { admission: string; watch: string };
}

export type Reconcilers = Record<PrimaryKind, KindReconciler<any>>;

export interface StackOptions {
  dir: string;
  reconcilers: Reconcilers;
  /** Both set: external clusters instead of emulators. */
  ironcoreKubeconfig?: string;
  apinetKubeconfig?: string;
  /**
   * Real servers instead of emulators (infra/real): kube-apiserver + etcd with the aggregated
   * ironcore and apinet servers; the functions run as service accounts bound by the shipped RBAC.
   * A RealPair already started is used as it is (and left running by stop()).
   */
  real?: boolean | RealPair;
  /** Emulated apinet only: its public address pools (default 10.0.0.0/24, about 250 addresses; benchmarks need more). */
  publicPools?: { IPv4?: string; IPv6?: string };
  /** Settings of ARCHITECTURE.md 7; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Powertools log level of the functions (default LOG_LEVEL or WARN, so the console stays readable). */
  logLevel?: string;
}

export interface LocalStack {
  info: StackInfo;
  config: Config;
  /** Clients for the two clusters (the functions' own credentials). */
  ironcore: KubeClient;
  apinet: KubeClient;
  /** Clients as a user of the stack has them (DIR/ironcore.kubeconfig, DIR/apinet.kubeconfig: cluster admin). */
  users: { ironcore: KubeClient; apinet: KubeClient };
  emulators?: { ironcore: Emulator; apinet: Emulator };
  /** The real clusters (`real: true`). */
  real?: RealPair;
  /** Stops the reconcile consumers (waits for batches in flight) / starts them again. */
  pauseReconcilers(): Promise<void>;
  resumeReconcilers(): void;
  pollers: Pollers;
  /**
   * One run of the scheduled function now: `full` (default; every key, the timer's run every
   * APINETLET_FULL_RESYNC_INTERVAL s) or `drift` (only drifted keys, every APINETLET_RESYNC_INTERVAL s).
   */
  resyncNow(mode?: 'full' | 'drift'): Promise<ResyncSummary>;
  /** One run of the scheduled dead-letter redrive now (the timer runs it on serverless.yml's redriveSchedule). */
  redriveNow(): Promise<RedriveSummary>;
  stop(): Promise<void>;
}

/** Starts every part; on a failure half-way, stops what already runs and rethrows. */
export async function startStack(opts: StackOptions): Promise<LocalStack> {
  const sourceEnv = opts.env ?? process.env;
  const token = sourceEnv.WEBHOOK_TOKEN?.trim() || randomBytes(24).toString('hex');
  const config = loadConfig({ ...sourceEnv, APINET_NAMESPACE: sourceEnv.APINET_NAMESPACE?.trim() || 'apinet', WEBHOOK_TOKEN: token });
  const namespace = config.apinetNamespace;
  const stoppers: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
    stoppers.length = 0;
  };
  try {
    const dir = resolve(opts.dir);
    await mkdir(dir, { recursive: true });
    const files = { ironcore: join(dir, 'ironcore.kubeconfig'), apinet: join(dir, 'apinet.kubeconfig'), stack: join(dir, 'stack.json') };
    const external = !!(opts.ironcoreKubeconfig && opts.apinetKubeconfig);
    let emulators: LocalStack['emulators'];
    let real: RealPair | undefined;
    let ironcoreYaml: string;
    let apinetYaml: string;
    // The functions' own credentials; the same as the written kubeconfigs except on real servers.
    let functionYaml: { ironcore: string; apinet: string } | undefined;
    if (external && opts.real) throw new Error('real servers and external kubeconfigs exclude each other: use one of them');
    if (opts.real) {
      if (opts.real === true) {
        real = await startRealPair({ dir: join(dir, 'real'), apinetNamespace: namespace });
        stoppers.push(() => real!.stop());
      } else real = opts.real;
      ironcoreYaml = real.ironcore.adminKubeconfig;
      apinetYaml = real.apinet.adminKubeconfig;
      functionYaml = real.functions;
    } else if (external) {
      [ironcoreYaml, apinetYaml] = await Promise.all([readFile(opts.ironcoreKubeconfig!, 'utf8'), readFile(opts.apinetKubeconfig!, 'utf8')]);
    } else {
      const [ironcore, apinet] = await Promise.all([
        startEmulator({ flavour: 'ironcore', namespaces: ['default'] }),
        startEmulator({ flavour: 'apinet', namespaces: ['default', namespace], ...(opts.publicPools ? { publicPools: opts.publicPools } : {}) }),
      ]);
      stoppers.push(() => ironcore.stop(), () => apinet.stop());
      emulators = { ironcore, apinet };
      ironcoreYaml = ironcore.kubeconfig();
      apinetYaml = apinet.kubeconfig();
    }
    await Promise.all([writeFile(files.ironcore, ironcoreYaml, { mode: 0o600 }), writeFile(files.apinet, apinetYaml, { mode: 0o600 })]);
    const ironcoreAdmin = createKubeClient(loadKubeConfig(ironcoreYaml, `ironcore kubeconfig ${files.ironcore}`));
    const apinetAdmin = createKubeClient(loadKubeConfig(apinetYaml, `apinet kubeconfig ${files.apinet}`));
    const ironcore = functionYaml ? createKubeClient(loadKubeConfig(functionYaml.ironcore, 'ironcore service-account kubeconfig')) : ironcoreAdmin;
    const apinet = functionYaml ? createKubeClient(loadKubeConfig(functionYaml.apinet, 'apinet service-account kubeconfig')) : apinetAdmin;

    if (external && !(await apinet.get(core.Namespace, undefined, namespace))) {
      // apinetlet never creates it in a real installation; say what to do instead of failing later on every write.
      throw new Error(
        `the apinet cluster (${apinet.server}) has no namespace "${namespace}" (APINET_NAMESPACE): create it ` +
          `(kubectl --kubeconfig ${opts.apinetKubeconfig} create namespace ${namespace}) or set APINET_NAMESPACE to an existing one`,
      );
    }
    const sqs: LocalSqs = await startLocalSqs({ serverlessYmlPath: join(ROOT, 'serverless.yml') });
    stoppers.push(() => sqs.stop());
    // Requests time out (10 s plus a long poll's wait): a lost long poll must not stall a kind's consumer.
    const sqsClient = createSqsClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const enqueue = createSqsEnqueuer({ client: sqsClient, queueUrls: sqs.queues });

    const logger = new Logger({ serviceName: SERVICE_NAME, logLevel: (opts.logLevel ?? sourceEnv.LOG_LEVEL ?? 'WARN') as never });
    const log = (entry: Record<string, unknown>) => logger.error(String(entry.step ?? 'webhook'), entry);
    // One CA for both functions; its PEM is the caBundle of every registration.
    const tls = await makeServerTls(['127.0.0.1', 'localhost']);
    const admission: HttpsFunction = await serveHttps(createAdmissionApp({ enqueue, token, watchFilter: config.watchFilter, log }), tls);
    stoppers.push(() => admission.stop());
    const watch: HttpsFunction = await serveHttps(
      createWatchApp({ enqueue, token, lookups: kubeLookups({ ironcore, apinet }), watchFilter: config.watchFilter, log }),
      tls,
    );
    stoppers.push(() => watch.stop());

    if (!external) {
      // Against external clusters the loopback URLs are unreachable for their API servers; there
      // the resync (and a deployed webhook) must do the triggering.
      const vars = { WEBHOOK_BASE_URL: admission.url, WATCH_BASE_URL: watch.url, WEBHOOK_TOKEN: token, CA_BUNDLE: Buffer.from(tls.caPem).toString('base64'), APINET_NAMESPACE: namespace };
      const k8s = join(ROOT, 'infra/kubernetes');
      await registerWebhooks(ironcoreAdmin, [join(k8s, 'ironcore/admission-webhooks.yaml'), join(k8s, 'ironcore/watch-webhook.yaml')], vars);
      await registerWebhooks(apinetAdmin, [join(k8s, 'apinet/watch-webhook.yaml')], vars);
    }

    const env: ReconcileEnv = {
      ironcore,
      apinet,
      settings: { ...reconcileSettingsFromConfig(config), apinetNamespace: namespace },
      now: () => new Date(),
    };
    // EMF metric lines would flood the console; CloudWatch is where they belong (opt in by setting it to false).
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
    const handlers = Object.fromEntries(
      PRIMARY_KINDS.map((kind) => [
        kind,
        createReconcileHandler({ kind, reconcile: reconcilerFor(opts.reconcilers[kind], env), sqs: sqsClient, queueUrl: sqs.queues[kind], logger, metrics }),
      ]),
    ) as Record<PrimaryKind, SqsBatchHandler>;
    const pollers = startPollers({
      sqs: sqsClient,
      queues: sqs.queues,
      handlers,
      onError: (kind, err) => logger.error(`${kind} queue poll failed; retrying`, { error: err as Error }),
    });
    stoppers.push(() => pollers.stop());

    // The scheduled function on a timer (deployed: the schedule of serverless.yml). While stopping,
    // a run in progress sees no time left and starts no new work.
    let stopping = false;
    let running: Promise<ResyncSummary> | undefined;
    // Drift-only on APINETLET_RESYNC_INTERVAL, every key on APINETLET_FULL_RESYNC_INTERVAL (the two
    // schedules of serverless.yml); one run at a time.
    const resyncNow = (mode: 'full' | 'drift' = 'full') =>
      (running ??= runResync(
        { ironcore, apinet, enqueuer: enqueue, logger },
        {
          mode,
          apinetNamespace: namespace,
          watchFilter: config.watchFilter,
          natAutoscaling: config.natAutoscaling,
          peeringDisabled: config.disableNetworkPeering,
          nodeAffinityAware: config.nodeAffinityAware,
          remainingMs: () => (stopping ? 0 : 60_000),
          reserveMs: 1,
        },
      ).finally(() => (running = undefined)));
    const periodicResync = (mode: 'full' | 'drift') => () =>
      void resyncNow(mode).then(
        (s) => logger.info('resync done', { mode: s.mode, enqueued: s.enqueued, drift: s.drift, orphans: s.orphans, migrated: s.migrated, errors: s.errors }),
        (err: unknown) => logger.error('resync failed', { error: err as Error }),
      );
    const timer = setInterval(periodicResync('drift'), config.resyncIntervalSeconds * 1000);
    timer.unref();
    const fullTimer = setInterval(periodicResync('full'), config.fullResyncIntervalSeconds * 1000);
    fullTimer.unref();
    // Like a controller's initial list (and the Go apinetlet's startup migration, R-MIG-01): one
    // full run right away, so existing objects of external clusters are picked up without waiting.
    periodicResync('full')();
    stoppers.push(async () => {
      stopping = true;
      clearInterval(timer);
      clearInterval(fullTimer);
      await running?.catch(() => undefined);
    });

    // The daily redrive of serverless.yml (`redriveSchedule`; APINETLET_REDRIVE_INTERVAL seconds overrides it).
    const redriveNow = () => redriveAllKinds({ sqs: sqsClient, queueUrls: sqs.queues, deadLetterQueueUrls: sqs.deadLetterQueues, logger });
    const redriveEvery = redriveIntervalSeconds(await readFile(join(ROOT, 'serverless.yml'), 'utf8'), sourceEnv.APINETLET_REDRIVE_INTERVAL);
    const redriveTimer = setInterval(
      () => void redriveNow().catch((err: unknown) => logger.error('redrive failed', { error: err as Error })),
      redriveEvery * 1000,
    );
    redriveTimer.unref();
    stoppers.push(async () => clearInterval(redriveTimer));

    const info: StackInfo = {
      ironcore: { server: ironcore.server, kubeconfig: files.ironcore },
      apinet: { server: apinet.server, kubeconfig: files.apinet, namespace },
      sqs: { endpoint: sqs.endpoint, queues: sqs.queues },
      functions: { admission: admission.url, watch: watch.url },
    };
    await writeFile(files.stack, `${JSON.stringify(info, null, 2)}\n`);
    return {
      info,
      config,
      ironcore,
      apinet,
      users: { ironcore: ironcoreAdmin, apinet: apinetAdmin },
      emulators,
      real,
      pollers,
      pauseReconcilers: () => pollers.pause(),
      resumeReconcilers: () => pollers.resume(),
      resyncNow,
      redriveNow,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
