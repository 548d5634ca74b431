/**
 * Wires a kind's reconciler to its Lambda trigger: configuration from the environment (checked at
 * cold start, one message naming every bad variable), one Kubernetes client per cluster and one SQS
 * client per cold start, reused by every invocation.
 */
import { loadConfig, type Config } from '../config.ts';
import { getKubeClient } from '../kube/index.ts';
import { createReconcileHandler, type SqsBatchHandler } from '../queue/consumer.ts';
import { getSqsClient } from '../queue/sqs.ts';
import { resolveSecrets } from '../secrets.ts';
import type { KubeObject } from '../kube/types.ts';
import { reconcilerFor, type KindReconciler, type ReconcileEnv, type ReconcileSettings } from './runtime.ts';

/** The reconcilers' settings from the validated environment (ARCHITECTURE.md 7). */
export function reconcileSettingsFromConfig(config: Config): ReconcileSettings {
  return {
    apinetNamespace: config.apinetNamespace,
    watchFilter: config.watchFilter,
    nodeAffinityAware: config.nodeAffinityAware,
    peeringDisabled: config.disableNetworkPeering,
  };
}

export function reconcileEnvFromConfig(config: Pick<Config, 'ironcoreKubeconfig' | 'apinetKubeconfig'> & Config): ReconcileEnv {
  return {
    ironcore: getKubeClient(config.ironcoreKubeconfig, 'IRONCORE_KUBECONFIG', { budget: { budget: config.kubeBudget } }),
    apinet: getKubeClient(config.apinetKubeconfig, 'APINET_KUBECONFIG', { budget: { budget: config.kubeBudget } }),
    settings: reconcileSettingsFromConfig(config),
    now: () => new Date(),
  };
}

/** The `handler` export of `functions/reconcile/<kind>.ts` (kubeconfigs from SSM when `*_KUBECONFIG_PARAMETER` is set). */
export async function lambdaReconcileHandler<T extends KubeObject>(reconciler: KindReconciler<T>, env: NodeJS.ProcessEnv = process.env): Promise<SqsBatchHandler> {
  const config = loadConfig(env, { queues: [reconciler.kind] });
  const secrets = await resolveSecrets(config, { kubeconfigs: true }, env);
  return createReconcileHandler({
    kind: reconciler.kind,
    reconcile: reconcilerFor(reconciler, reconcileEnvFromConfig({ ...config, ...secrets })),
    sqs: getSqsClient({ endpoint: config.sqsEndpoint, region: config.awsRegion }),
    queueUrl: config.queueUrls[reconciler.kind]!,
  });
}
