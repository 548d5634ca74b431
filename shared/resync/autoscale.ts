/**
 * NAT gateway autoscaling (ARCHITECTURE.md 6, apinet-api.md 7.2): for every apinet
 * NATGatewayAutoscaler apinetlet wrote, size its NATGateway's `spec.ips` to the demand. The
 * decision is the pure core's (shared/reconcile/core/nat-autoscaling.ts, which rounds UP); here
 * only the reads and the guarded write. The reads are two LISTs from the run's snapshot (the
 * autoscalers and the NATGateway projections of ANS), never a GET per gateway: the drift run reads
 * the same two lists, so at rest the phase adds no request of its own.
 */
import { ApinetNATGateway, ApinetNATGatewayAutoscaler } from '../api/apinet.ts';
import { originKeysOf } from '../api/origin.ts';
import { apinet } from '../api/resources.ts';
import type { KubeClient } from '../kube/client.ts';
import { isConflict } from '../kube/errors.ts';
import type { KubeObject } from '../kube/types.ts';
import { natScaleDecision } from '../reconcile/core/nat-autoscaling.ts';
import type { Deadline } from './deadline.ts';
import { apinetList, projectionSource } from './drift.ts';
import type { Listed, Snapshot, Source } from './snapshot.ts';

/** The lists the phase reads; the drift run's NATGateway check reads the same ones. */
export const natAutoscalingSources = (ans: string): Source[] => [apinetList(apinet.NATGatewayAutoscaler, ans), projectionSource('NATGateway', ans)];

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
  deps: { apinet: KubeClient; deadline: Deadline; snapshot: Snapshot; random?: () => number },
  opts: { apinetNamespace: string },
): Promise<NatAutoscaleResult> {
  const ns = opts.apinetNamespace;
  const random = deps.random ?? Math.random;
  const result: NatAutoscaleResult = { autoscalers: 0, scaled: [], unchanged: 0, skipped: 0, conflicts: [], errors: [], stopped: false };
  const sources = natAutoscalingSources(ns);
  const [scalerSource, gatewaySource] = sources as [Source, Source];
  const uidLabel = originKeysOf('NATGateway').uidLabel;
  try {
    let scalers: Listed;
    try {
      scalers = await deps.snapshot.get(scalerSource);
    } catch (err) {
      result.errors.push(`NAT autoscaling: LIST apinet NATGatewayAutoscaler in ${ns} failed: ${(err as Error).message}; check APINET_KUBECONFIG and that apinetlet may list natgatewayautoscalers`);
      return result;
    }
    let gateways: Listed | undefined;
    // Only autoscalers carrying the NATGateway origin (written by apinetlet); natScaleDecision checks all three keys.
    for (const raw of scalers.items) {
      if (raw.metadata?.labels?.[uidLabel] === undefined) continue;
      if (deps.deadline.expired()) {
        result.stopped = true;
        break;
      }
      if (!gateways) {
        try {
          gateways = await deps.snapshot.get(gatewaySource);
        } catch (err) {
          result.errors.push(`NAT autoscaling: LIST apinet NATGateway in ${ns} failed: ${(err as Error).message}; check APINET_KUBECONFIG and that apinetlet may list natgateways`);
          return result;
        }
      }
      result.autoscalers++;
      await scaleOne(deps.apinet, ns, raw, gateways, random, result);
    }
  } finally {
    deps.snapshot.done(sources);
  }
  return result;
}

async function scaleOne(client: KubeClient, ns: string, raw: KubeObject, gateways: Listed, random: () => number, result: NatAutoscaleResult): Promise<void> {
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
    const rawGw = gwName ? gateways.byName(gwName) : undefined;
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
    // The patch carries metadata.resourceVersion (that of the LIST): a gateway changed since answers 409.
    const patched = await client.mergePatch(apinet.NATGateway, ns, gwName, decision.patch, { fieldManager: NAT_AUTOSCALER_FIELD_MANAGER });
    gateways.replace(patched);
    result.scaled.push({ gateway: gwKey, from: decision.from, to: decision.to });
  } catch (err) {
    if (isConflict(err)) {
      result.conflicts.push(`${gwKey}: changed since it was read; the next run decides again`);
      return;
    }
    result.errors.push(`NAT autoscaling: NATGateway ${gwKey} (autoscaler ${key}): ${(err as Error).message}`);
  }
}
