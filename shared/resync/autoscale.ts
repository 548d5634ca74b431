/**
 * NAT gateway autoscaling (ARCHITECTURE.md 6, apinet-api.md 7.2): for every apinet
 * NATGatewayAutoscaler apinetlet wrote, size its NATGateway's `spec.ips` to the demand. The
 * decision is the pure core's (shared/reconcile/core/nat-autoscaling.ts, which rounds UP); here
 * only the reads and the guarded write.
 */
import { ApinetNATGateway, ApinetNATGatewayAutoscaler } from '../api/apinet.ts';
import { originKeysOf } from '../api/origin.ts';
import { apinet } from '../api/resources.ts';
import type { KubeClient } from '../kube/client.ts';
import { isConflict } from '../kube/errors.ts';
import type { KubeObject } from '../kube/types.ts';
import { natScaleDecision } from '../reconcile/core/nat-autoscaling.ts';
import type { Deadline } from './deadline.ts';

/**
 * Field manager of the `spec.ips` merge patch. Deliberately NOT apinetlet's apply manager: if
 * `ironcore.dev/apinetlet` owned spec.ips, its next server-side apply (which never sends spec.ips,
 * apinet-api.md 5.8) would remove every IP.
 */
export const NAT_AUTOSCALER_FIELD_MANAGER = 'apinetlet.ironcore.dev/natgateway-autoscaler';

export interface NatScaleEvent {
  /** `<namespace>/<name>` of the NATGateway. */
  gateway: string;
  from: number;
  to: number;
}

export interface NatAutoscaleResult {
  autoscalers: number;
  scaled: NatScaleEvent[];
  unchanged: number;
  skipped: number;
  /** Writes refused by the resourceVersion precondition: the gateway changed meanwhile; the next run decides again. */
  conflicts: string[];
  errors: string[];
  stopped: boolean;
}

export async function autoscaleNatGateways(
  deps: { apinet: KubeClient; deadline: Deadline; random?: () => number },
  opts: { apinetNamespace: string; pageSize: number },
): Promise<NatAutoscaleResult> {
  const ns = opts.apinetNamespace;
  const random = deps.random ?? Math.random;
  const result: NatAutoscaleResult = { autoscalers: 0, scaled: [], unchanged: 0, skipped: 0, conflicts: [], errors: [], stopped: false };
  try {
    // Only autoscalers carrying the NATGateway origin (written by apinetlet); natScaleDecision checks all three keys.
    for await (const raw of deps.apinet.listAll(apinet.NATGatewayAutoscaler, { namespace: ns, labelSelector: originKeysOf('NATGateway').uidLabel, limit: opts.pageSize })) {
      if (deps.deadline.expired()) {
        result.stopped = true;
        break;
      }
      result.autoscalers++;
      await scaleOne(deps.apinet, ns, raw, random, result);
    }
  } catch (err) {
    result.errors.push(`NAT autoscaling: LIST apinet NATGatewayAutoscaler in ${ns} failed: ${(err as Error).message}; check APINET_KUBECONFIG and that apinetlet may list natgatewayautoscalers`);
  }
  return result;
}

async function scaleOne(client: KubeClient, ns: string, raw: KubeObject, random: () => number, result: NatAutoscaleResult): Promise<void> {
  const key = `${ns}/${raw.metadata?.name ?? ''}`;
  const autoscaler = ApinetNATGatewayAutoscaler.safeParse(raw);
  if (!autoscaler.success) {
    result.skipped++;
    result.errors.push(`NAT autoscaling: autoscaler ${key} does not parse (${autoscaler.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); its reconcile rewrites it`);
    return;
  }
  const gwName = autoscaler.data.spec.natGatewayRef.name ?? '';
  const gwKey = `${ns}/${gwName}`;
  try {
    const rawGw = gwName ? await client.get(apinet.NATGateway, ns, gwName) : undefined;
    const gw = rawGw ? ApinetNATGateway.safeParse(rawGw) : undefined;
    if (gw && !gw.success) {
      result.skipped++;
      result.errors.push(`NAT autoscaling: NATGateway ${gwKey} (of autoscaler ${key}) does not parse: ${gw.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return;
    }
    const decision = natScaleDecision(autoscaler.data, gw?.data ?? null, random);
    if (decision.action === 'skip') {
      result.skipped++;
      return;
    }
    if (decision.action === 'none') {
      result.unchanged++;
      return;
    }
    // The patch carries metadata.resourceVersion: a gateway changed since our GET answers 409.
    await client.mergePatch(apinet.NATGateway, ns, gwName, decision.patch, { fieldManager: NAT_AUTOSCALER_FIELD_MANAGER });
    result.scaled.push({ gateway: gwKey, from: decision.from, to: decision.to });
  } catch (err) {
    if (isConflict(err)) {
      result.conflicts.push(`${gwKey}: changed since it was read; the next run decides again`);
      return;
    }
    result.errors.push(`NAT autoscaling: NATGateway ${gwKey} (autoscaler ${key}): ${(err as Error).message}`);
  }
}
