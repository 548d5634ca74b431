/**
 * NetworkPolicy reconcile shell (behavior.md 2.6, 3.6): the I/O around the pure core
 * `core/networkpolicy.ts`. Order of a pass: read the ironcore Network (missing → nothing,
 * R-NP-04) and its apinet Network → apply the apinet NetworkPolicy (policy-type errors throw
 * before, R-NP-06) → with the apinet Network present, list the apinet NICs (and LoadBalancers when
 * a peer selects them) by the policy's label selectors (core/networkpolicy-reads.ts) and apply the
 * NetworkPolicyRule under its own field manager (R-NP-02).
 */
import type { z } from 'zod';
import { ApinetLoadBalancer, ApinetNetwork, ApinetNetworkInterface, ApinetNetworkPolicy } from '../api/apinet.ts';
import { IroncoreNetwork, IroncoreNetworkPolicy } from '../api/ironcore.ts';
import { NETWORK_POLICY_RULE_FIELD_MANAGER } from '../api/origin.ts';
import { apinet, ironcore, type ResourceInfo } from '../api/resources.ts';
import { isNotFound } from '../kube/index.ts';
import type { KubeObject } from '../kube/types.ts';
import type { ReconcileContext } from '../queue/consumer.ts';
import { done, type ReconcileResult } from '../queue/result.ts';
import { objectKey } from './core/errors.ts';
import { networkPolicyListSelectors } from './core/networkpolicy-reads.ts';
import { desiredApinetNetworkPolicyRule, networkPolicyDeletion, planNetworkPolicy, type NetworkPolicyObserved } from './core/networkpolicy.ts';
import type { KindReconciler, ReconcileEnv } from './runtime.ts';
import { applyApinet, atStep, deleteApinetOfGone, parseAs } from './steps.ts';

/** The cores' apply bodies are closed interfaces; the client takes any object with metadata. */
const applyBody = (body: { metadata: { name: string; namespace: string } }): KubeObject => body as unknown as KubeObject;

/**
 * The objects of `res` in ANS that any of `selectors` matches: one LIST per selector (server-side
 * label selector), merged by name; `[]` lists nothing. One that does not parse is left out with a
 * warning (it cannot be a target).
 */
async function listInApinetNamespace<T>(
  env: ReconcileEnv,
  ctx: ReconcileContext,
  key: string,
  res: ResourceInfo,
  schema: z.ZodType<T>,
  selectors: readonly string[],
): Promise<T[]> {
  const ns = env.settings.apinetNamespace;
  const lists = await Promise.all(
    selectors.map((labelSelector) =>
      atStep(key, 'read', `listing apinet ${res.kind}s of ${ns}${labelSelector ? ` with labelSelector ${JSON.stringify(labelSelector)}` : ''}`, async () => {
        const items: KubeObject[] = [];
        for await (const item of env.apinet.listAll(res, { namespace: ns, ...(labelSelector ? { labelSelector } : {}) })) items.push(item);
        return items;
      }),
    ),
  );
  const seen = new Set<string>();
  return lists.flat().flatMap((obj) => {
    const name = obj.metadata.name ?? '';
    if (seen.has(name)) return [];
    seen.add(name);
    const parsed = schema.safeParse(obj);
    if (parsed.success) return [parsed.data];
    ctx.logger.warn(`skipping apinet ${res.kind} ${ns}/${name}: does not parse`, { issue: parsed.error.issues[0]?.message });
    return [];
  });
}

async function observe(np: IroncoreNetworkPolicy, env: ReconcileEnv, key: string): Promise<NetworkPolicyObserved> {
  const ns = np.metadata.namespace ?? '';
  const ans = env.settings.apinetNamespace;
  const name = np.spec.networkRef.name;
  const rawNetwork = await atStep(key, 'read', `reading ironcore Network ${ns}/${name}`, () => env.ironcore.get(ironcore.Network, ns, name));
  const network = rawNetwork ? parseAs(IroncoreNetwork, rawNetwork, key, 'read', `ironcore Network ${ns}/${name}`) : null;
  const uid = network?.metadata.uid;
  const rawApinet = uid ? await atStep(key, 'read', `reading apinet Network ${ans}/${uid}`, () => env.apinet.get(apinet.Network, ans, uid)) : undefined;
  const apinetNetwork = rawApinet ? parseAs(ApinetNetwork, rawApinet, key, 'read', `apinet Network ${ans}/${uid}`) : null;
  // NICs and LBs only feed the rule: listed after the policy is applied, and only when needed.
  return { networkPolicy: np, network, apinetNetwork, apinetNetworkInterfaces: [], apinetLoadBalancers: [], settings: { apinetNamespace: ans } };
}

async function reconcile(np: IroncoreNetworkPolicy, env: ReconcileEnv, ctx: ReconcileContext): Promise<ReconcileResult> {
  const key = objectKey(np.metadata);
  const observed = await observe(np, env, key);
  // R-NP-06: an unknown policy type throws here, before anything is applied.
  const plan = planNetworkPolicy(observed);
  if (plan.action === 'none') {
    // R-NP-04: no error, no requeue; the Network's creation re-triggers the policy.
    ctx.logger.info(`nothing applied: ${plan.reason}`);
    return done();
  }
  const policy = plan.apinetNetworkPolicy;
  const applied = parseAs(
    ApinetNetworkPolicy,
    await atStep(key, 'apply', `apply of apinet NetworkPolicy ${policy.metadata.namespace}/${policy.metadata.name}`, () =>
      applyApinet(env, apinet.NetworkPolicy, applyBody(policy)),
    ),
    key,
    'apply',
    `apinet NetworkPolicy ${policy.metadata.namespace}/${policy.metadata.name}`,
  );
  if (plan.rule === 'wait-for-apinet-network') {
    // R-NP-04 [Go quirk] decision: the rule needs the apinet Network's UID; its creation re-triggers us (R-NP-09).
    ctx.logger.info(`rule skipped until apinet Network ${env.settings.apinetNamespace}/${observed.network?.metadata.uid} exists`);
    return done();
  }
  // The policy's label selectors go to the server; network and readiness are filtered by the core (R-NP-07).
  const selectors = networkPolicyListSelectors(np);
  const [nics, lbs] = await Promise.all([
    listInApinetNamespace(env, ctx, key, apinet.NetworkInterface, ApinetNetworkInterface, selectors.networkInterfaces),
    listInApinetNamespace(env, ctx, key, apinet.LoadBalancer, ApinetLoadBalancer, selectors.loadBalancers),
  ]);
  // R-NP-06: an unsupported object kind throws here, after the policy was applied.
  const rule = desiredApinetNetworkPolicyRule({ ...observed, apinetNetworkInterfaces: nics, apinetLoadBalancers: lbs, appliedApinetNetworkPolicy: applied });
  // R-NP-02: the rule has its own field manager.
  await atStep(key, 'apply', `apply of apinet NetworkPolicyRule ${rule.metadata.namespace}/${rule.metadata.name}`, () =>
    applyApinet(env, apinet.NetworkPolicyRule, applyBody(rule), NETWORK_POLICY_RULE_FIELD_MANAGER),
  );
  return done();
}

/** R-NP-03: issue the delete (not-found is fine) and let the finalizer go in the same pass; the rule goes by GC. */
async function finalize(np: IroncoreNetworkPolicy, env: ReconcileEnv): Promise<'gone' | 'waiting'> {
  const target = networkPolicyDeletion(np, { apinetNamespace: env.settings.apinetNamespace }).deleteApinetNetworkPolicy;
  if (target) {
    await atStep(objectKey(np.metadata), 'delete', `deleting apinet NetworkPolicy ${target.namespace}/${target.name}`, async () => {
      try {
        await env.apinet.delete(apinet.NetworkPolicy, target.namespace, target.name, { propagationPolicy: 'Background' });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    });
  }
  return 'gone';
}

export const networkPolicyReconciler: KindReconciler<IroncoreNetworkPolicy> = {
  kind: 'NetworkPolicy',
  schema: IroncoreNetworkPolicy,
  reconcile,
  finalize,
  // R-GEN-06: only the apinet NetworkPolicy (the rule follows by GC); a live policy that reuses the key keeps its own.
  gone: deleteApinetOfGone('NetworkPolicy', apinet.NetworkPolicy),
};
