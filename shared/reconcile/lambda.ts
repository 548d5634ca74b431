/**
 * Wires a kind's reconciler to its Lambda trigger: configuration from the environment (checked at
 * cold start, one message naming every bad variable), one Kubernetes client per cluster and one SQS
 * client per cold start, reused by every invocation.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig, type Config } from '../config.ts';
import { getKubeClient } from '../kube/index.ts';
import { createReconcileHandler, type SqsBatchHandler } from '../queue/consumer.ts';
import type { KubeObject } from '../kube/types.ts';
import { reconcilerFor, type KindReconciler, type ReconcileEnv } from './runtime.ts';

export function reconcileEnvFromConfig(config: Config): ReconcileEnv {
  return {
    ironcore: getKubeClient(config.ironcoreKubeconfig, 'IRONCORE_KUBECONFIG'),
    apinet: getKubeClient(config.apinetKubeconfig, 'APINET_KUBECONFIG'),
    settings: {
      apinetNamespace: config.apinetNamespace,
      watchFilter: config.watchFilter,
      nodeAffinityAware: config.nodeAffinityAware,
      peeringDisabled: config.disableNetworkPeering,
    },
    now: () => new Date(),
  };
}

export function sqsClientFromConfig(config: Config): SQSClient {
  return new SQSClient({ ...(config.sqsEndpoint ? { endpoint: config.sqsEndpoint } : {}), ...(config.awsRegion ? { region: config.awsRegion } : {}) });
}

/** The `handler` export of `functions/reconcile/<kind>.ts`. */
export function lambdaReconcileHandler<T extends KubeObject>(reconciler: KindReconciler<T>, env: NodeJS.ProcessEnv = process.env): SqsBatchHandler {
  const config = loadConfig(env, { queues: [reconciler.kind] });
  return createReconcileHandler({
    kind: reconciler.kind,
    reconcile: reconcilerFor(reconciler, reconcileEnvFromConfig(config)),
    sqs: sqsClientFromConfig(config),
    queueUrl: config.queueUrls[reconciler.kind]!,
  });
}
