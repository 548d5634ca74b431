/**
 * LoadBalancer reconcile shell (behavior.md 2.5, 3.3): the I/O around the pure core
 * `core/loadbalancer.ts`. Order of a pass: read the Network, the routing and the ephemeral
 * Prefixes → plan (skip without a Network, R-LB-03; unknown type throws first, R-LB-09) → apply
 * the apinet LoadBalancer → apply its routing (always, R-LB-06) → patch `status.ips` only when
 * it differs (R-LB-01).
 */
import { z } from 'zod';
import { ApinetLoadBalancer } from '../api/apinet.ts';
import { IroncoreLoadBalancer, IroncoreLoadBalancerRouting, IroncoreNetwork, IroncorePrefix } from '../api/ironcore.ts';
import { apinet, ironcore } from '../api/resources.ts';
import type { KubeObject } from '../kube/types.ts';
import { done, requeue, type ReconcileResult } from '../queue/result.ts';
import type { ReconcileContext } from '../queue/consumer.ts';
import { objectKey } from './core/errors.ts';
import {
  desiredApinetLoadBalancerRouting,
  loadBalancerPlan,
  loadBalancerReads,
  loadBalancerStatusPatch,
  type ApinetLoadBalancerApply,
  type LoadBalancerObserved,
} from './core/loadbalancer.ts';
import type { KindReconciler, ReconcileEnv } from './runtime.ts';
import { networkNotFound } from './core/events.ts';
import { applyApinet, atStep, deleteApinetOfGone, finalizeApinetByUid, parseAs, patchIroncoreStatus } from './steps.ts';

/** Seconds to wait when the apinet server has not allocated a public address yet (SRV-04). */
const ALLOCATION_WAIT_SECONDS = 2;

/**
 * The stored LoadBalancer, with `spec.type` read as any string: an unknown type must reach the
 * core and fail there with R-LB-09's "unknown load balancer type", not as a parse error.
 */
const LoadBalancerAsStored = IroncoreLoadBalancer.extend({
  spec: IroncoreLoadBalancer.shape.spec.extend({ type: z.string() }),
}) as unknown as z.ZodType<IroncoreLoadBalancer>;

/** The cores' apply bodies are closed interfaces; the client takes any object with metadata. */
const applyBody = (body: { metadata: { name: string; namespace: string } }): KubeObject => body as unknown as KubeObject;

/** Reads one ironcore object of the LB namespace and parses it; undefined when not found. */
async function readIroncore<T>(env: ReconcileEnv, key: string, schema: z.ZodType<T>, res: (typeof ironcore)[keyof typeof ironcore], ns: string, name: string, what: string): Promise<T | undefined> {
  const raw = await atStep(key, 'read', `reading ${what} ${ns}/${name}`, () => env.ironcore.get(res, ns, name));
  return raw ? parseAs(schema, raw, key, 'read', `${what} ${ns}/${name}`) : undefined;
}

/** Everything the core looks at, read from the ironcore cluster (all in the LB namespace). */
async function observe(lb: IroncoreLoadBalancer, env: ReconcileEnv, key: string): Promise<LoadBalancerObserved> {
  const reads = loadBalancerReads(lb);
  const ns = reads.namespace;
  const [network, routing, prefixList] = await Promise.all([
    readIroncore(env, key, IroncoreNetwork, ironcore.Network, ns, reads.network, 'ironcore Network'),
    readIroncore(env, key, IroncoreLoadBalancerRouting, ironcore.LoadBalancerRouting, ns, reads.routing, 'LoadBalancerRouting'),
    Promise.all(reads.prefixes.map((name) => readIroncore(env, key, IroncorePrefix, ironcore.Prefix, ns, name, 'ipam Prefix'))),
  ]);
  return {
    loadBalancer: lb,
    network: network ?? null,
    routing: routing ?? null,
    prefixes: Object.fromEntries(reads.prefixes.map((name, i) => [name, prefixList[i]])),
    settings: { apinetNamespace: env.settings.apinetNamespace, nodeAffinityAware: env.settings.nodeAffinityAware },
  };
}

/**
 * The apply, keeping the stored `spec.selector` of an apinet LoadBalancer the Go apinetlet v0.3.0
 * created: its selector also matches the origin *name* label (2.2 moved that to an annotation),
 * and the selector is immutable, so it stays as it is (the Instances it selects keep matching).
 * Decided from the GET the apply makes anyway: no rejected apply, no extra read.
 */
function applyKeepingSelector(env: ReconcileEnv, body: ApinetLoadBalancerApply, ctx: ReconcileContext): Promise<KubeObject> {
  return applyApinet(env, apinet.LoadBalancer, applyBody(body), undefined, (desired, stored) => {
    const selector = (stored.spec as { selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } } | undefined)?.selector;
    const ours = body.spec.selector.matchLabels;
    if (!selector?.matchLabels || selector.matchExpressions?.length || sameLabels(selector.matchLabels, ours)) return desired;
    ctx.logger.debug('apinet LoadBalancer with a selector of its own (the Go apinetlet\'s): kept (immutable)', { name: body.metadata.name });
    // The template's labels must match the selector: ours plus the selector's (the Go name label).
    const template = { ...body.spec.template, metadata: { ...body.spec.template.metadata, labels: { ...body.spec.template.metadata.labels, ...selector.matchLabels } } };
    const keeping: ApinetLoadBalancerApply = { ...body, spec: { ...body.spec, selector: { matchLabels: selector.matchLabels }, template } };
    return applyBody(keeping);
  });
}

const sameLabels = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

async function reconcile(lb: IroncoreLoadBalancer, env: ReconcileEnv, ctx: ReconcileContext): Promise<ReconcileResult> {
  const key = objectKey(lb.metadata);
  const observed = await observe(lb, env, key);
  // R-LB-09: an unknown type throws here, before anything is applied.
  const plan = loadBalancerPlan(observed);
  if (plan.action === 'skip') {
    // R-LB-03: no error, no requeue.
    ctx.logger.info(plan.message, { reason: plan.reason });
    if (plan.reason === 'network-missing') env.pendingEvents?.push(networkNotFound(key, plan.message));
    return done();
  }
  const body = plan.loadBalancer;
  const applied = parseAs(
    ApinetLoadBalancer,
    await atStep(key, 'apply', `apply of apinet LoadBalancer ${body.metadata.namespace}/${body.metadata.name}`, () => applyKeepingSelector(env, body, ctx)),
    key,
    'apply',
    `apinet LoadBalancer ${body.metadata.namespace}/${body.metadata.name}`,
  );
  // R-LB-06: always applied, even without an ironcore routing; owned by the apinet LB for GC.
  const routing = desiredApinetLoadBalancerRouting(observed, applied);
  await atStep(key, 'apply', `apply of apinet LoadBalancerRouting ${routing.metadata.namespace}/${routing.metadata.name}`, () =>
    applyApinet(env, apinet.LoadBalancerRouting, applyBody(routing)),
  );

  // R-LB-01: status.ips only when it differs.
  const patch = loadBalancerStatusPatch(lb, applied);
  if (patch) {
    await atStep(key, 'status', `status patch (ips ${JSON.stringify(patch.status.ips)})`, () =>
      patchIroncoreStatus(env.ironcore, ironcore.LoadBalancer, lb, patch.status),
    );
  }

  // SRV-04: a public entry the server has not filled yet is real waiting, not a failure.
  const unallocated = (applied.spec.ips ?? []).filter((e) => !e.ip).map((e) => e.name);
  if (body.spec.type === 'Public' && unallocated.length > 0) {
    return requeue(`${key}: apinet LoadBalancer has no address yet for ${unallocated.join(', ')}`, ALLOCATION_WAIT_SECONDS);
  }
  return done();
}

export const loadBalancerReconciler: KindReconciler<IroncoreLoadBalancer> = {
  kind: 'LoadBalancer',
  schema: LoadBalancerAsStored,
  reconcile,
  // R-LB-08: delete the apinet LoadBalancer and wait until it is gone; the routing goes by owner-reference GC.
  finalize: finalizeApinetByUid(apinet.LoadBalancer),
  // R-GEN-06: only the primary apinet kind (the routing follows by GC); a live LB that reuses the key keeps its own.
  gone: deleteApinetOfGone('LoadBalancer', apinet.LoadBalancer),
};
