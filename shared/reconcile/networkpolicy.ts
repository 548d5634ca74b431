/**
 * NetworkPolicy reconcile shell (behavior.md 2.6, 3.6): the I/O around the pure core
 * `core/networkpolicy.ts`. Order of a pass: read the ironcore Network (missing → nothing,
 * R-NP-04) and its apinet Network → apply the apinet NetworkPolicy (policy-type errors throw
 * before, R-NP-06) → with the apinet Network present, list the apinet NICs (and LoadBalancers when
 * a peer selects them) and apply the NetworkPolicyRule under its own field manager (R-NP-02).
 */
import type { ApinetLoadBalancer, ApinetNetwork, ApinetNetworkInterface, ApinetNetworkPolicy } from '../api/apinet.ts';
import { IroncoreNetworkPolicy, type IroncoreNetwork } from '../api/ironcore.ts';
import { NETWORK_POLICY_RULE_FIELD_MANAGER } from '../api/origin.ts';
import { apinet, ironcore } from '../api/resources.ts';
import { isNotFound } from '../kube/index.ts';
import type { KubeObject } from '../kube/types.ts';
import type { ReconcileContext } from '../queue/consumer.ts';
import { done, type ReconcileResult } from '../queue/result.ts';
import { desiredApinetNetworkPolicyRule, networkPolicyDeletion, planNetworkPolicy, type NetworkPolicyObserved } from './core/networkpolicy.ts';
import type { KindReconciler, ObjectKey, ReconcileEnv } from './runtime.ts';
import { applyApinet, deleteGoneByOrigin } from './steps.ts';

/** Whether any ingress/egress peer selects LoadBalancers (R-NP-05): only then are they listed. */
function selectsLoadBalancers(np: IroncoreNetworkPolicy): boolean {
  const peers = [...(np.spec.ingress ?? []).flatMap((r) => r.from ?? []), ...(np.spec.egress ?? []).flatMap((r) => r.to ?? [])];
  return peers.some((p) => p.objectSelector?.kind === 'LoadBalancer');
}

async function listInApinetNamespace<T extends KubeObject>(env: ReconcileEnv, res: (typeof apinet)[keyof typeof apinet]): Promise<T[]> {
  const items: T[] = [];
  for await (const item of env.apinet.listAll<T>(res, { namespace: env.settings.apinetNamespace })) items.push(item);
  return items;
}

async function reconcile(np: IroncoreNetworkPolicy, env: ReconcileEnv, ctx: ReconcileContext): Promise<ReconcileResult> {
  const ns = np.metadata.namespace ?? '';
  const network = (await env.ironcore.get<IroncoreNetwork>(ironcore.Network, ns, np.spec.networkRef.name)) ?? null;
  const apinetNetwork = network?.metadata.uid
    ? ((await env.apinet.get<ApinetNetwork>(apinet.Network, env.settings.apinetNamespace, network.metadata.uid)) ?? null)
    : null;
  // NICs and LBs only feed the rule; the plan does not look at them.
  const observed: NetworkPolicyObserved = {
    networkPolicy: np,
    network,
    apinetNetwork,
    apinetNetworkInterfaces: [],
    apinetLoadBalancers: [],
    settings: { apinetNamespace: env.settings.apinetNamespace },
  };
  const plan = planNetworkPolicy(observed);
  if (plan.action === 'none') {
    // R-NP-04: no error, no requeue; the Network's creation re-triggers the policy.
    ctx.logger.info(`nothing applied: ${plan.reason}`);
    return done();
  }
  const applied = await applyApinet<ApinetNetworkPolicy>(env, apinet.NetworkPolicy, plan.apinetNetworkPolicy);
  if (plan.rule === 'wait-for-apinet-network') {
    // R-NP-04 [Go quirk] decision: the rule needs the apinet Network's UID; its creation re-triggers us (R-NP-09).
    ctx.logger.info(`rule skipped: apinet Network ${env.settings.apinetNamespace}/${network?.metadata.uid} does not exist yet`);
    return done();
  }
  const [nics, lbs] = await Promise.all([
    listInApinetNamespace<ApinetNetworkInterface>(env, apinet.NetworkInterface),
    selectsLoadBalancers(np) ? listInApinetNamespace<ApinetLoadBalancer>(env, apinet.LoadBalancer) : Promise.resolve([]),
  ]);
  // R-NP-06: an unsupported object kind throws here, after the policy was applied.
  const rule = desiredApinetNetworkPolicyRule({ ...observed, apinetNetworkInterfaces: nics, apinetLoadBalancers: lbs, appliedApinetNetworkPolicy: applied });
  await applyApinet(env, apinet.NetworkPolicyRule, rule, NETWORK_POLICY_RULE_FIELD_MANAGER);
  return done();
}

/** R-NP-03: issue the delete (not-found is fine) and let the finalizer go in the same pass; the rule goes by GC. */
async function finalize(np: IroncoreNetworkPolicy, env: ReconcileEnv): Promise<'gone' | 'waiting'> {
  const step = networkPolicyDeletion(np, { apinetNamespace: env.settings.apinetNamespace });
  const target = step.deleteApinetNetworkPolicy;
  if (target) {
    try {
      await env.apinet.delete(apinet.NetworkPolicy, target.namespace, target.name, { propagationPolicy: 'Background' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return 'gone';
}

export const networkPolicyReconciler: KindReconciler<IroncoreNetworkPolicy> = {
  kind: 'NetworkPolicy',
  schema: IroncoreNetworkPolicy,
  reconcile,
  finalize,
  // R-GEN-06: only the apinet NetworkPolicy; the rule follows by owner-reference GC.
  gone: async (key: ObjectKey, env: ReconcileEnv) => {
    await deleteGoneByOrigin(env, 'NetworkPolicy', apinet.NetworkPolicy, key);
  },
};
