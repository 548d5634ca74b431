/**
 * NATGateway reconcile shell (behavior.md 3.4): reads the ironcore Network, applies the apinet
 * NATGateway `ANS/<uid>` and its NATGatewayAutoscaler (owned by the gateway, R-NATGW-02), then
 * mirrors the gateway's allocated `spec.ips` into the ironcore status (R-NATGW-03). The
 * decisions live in ./core/natgateway.ts.
 */
import { ApinetNATGateway } from '../api/apinet.ts';
import { IroncoreNATGateway, IroncoreNetwork } from '../api/ironcore.ts';
import { apinet, ironcore } from '../api/resources.ts';
import type { ReconcileContext } from '../queue/consumer.ts';
import { done, type ReconcileResult } from '../queue/result.ts';
import { desiredApinetNATGatewayAutoscaler, natGatewayPlan, natGatewayReads, natGatewayStatusPatch } from './core/natgateway.ts';
import { objectKey } from './core/errors.ts';
import { networkNotFound } from './core/events.ts';
import type { KindReconciler, ReconcileEnv } from './runtime.ts';
import { applyApinet, atStep, deleteApinetOfGone, finalizeApinetByUid, parseAs, patchIroncoreStatus } from './steps.ts';

async function reconcileNATGateway(natgw: IroncoreNATGateway, env: ReconcileEnv, ctx: ReconcileContext): Promise<ReconcileResult> {
  const key = objectKey(natgw.metadata);
  const reads = natGatewayReads(natgw);
  const rawNetwork = await atStep(key, 'read', `reading ironcore Network ${reads.namespace}/${reads.network}`, () =>
    env.ironcore.get(ironcore.Network, reads.namespace, reads.network),
  );
  const network = rawNetwork ? parseAs(IroncoreNetwork, rawNetwork, key, 'read', `ironcore Network ${reads.namespace}/${reads.network}`) : null;
  const plan = natGatewayPlan({ natGateway: natgw, network, settings: { apinetNamespace: env.settings.apinetNamespace } });
  if (plan.action === 'skip') {
    // R-NATGW-05: the Network's own event brings this gateway back; nothing to wait for here.
    ctx.logger.info(plan.message);
    if (plan.reason === 'network-missing') env.pendingEvents?.push(networkNotFound(key, plan.message));
    return done();
  }

  const body = plan.natGateway;
  const gatewayKey = `${body.metadata.namespace}/${body.metadata.name}`;
  const applied = parseAs(
    ApinetNATGateway,
    await atStep(key, 'apply', `apply of apinet NATGateway ${gatewayKey}`, () => applyApinet(env, apinet.NATGateway, { ...body })),
    key,
    'apply',
    `apinet NATGateway ${gatewayKey}`,
  );
  // R-NATGW-02: the autoscaler needs the applied gateway's uid for its owner reference.
  const autoscaler = desiredApinetNATGatewayAutoscaler({ natGateway: natgw, settings: { apinetNamespace: env.settings.apinetNamespace } }, applied);
  await atStep(key, 'apply', `apply of apinet NATGatewayAutoscaler ${autoscaler.metadata.namespace}/${autoscaler.metadata.name}`, () =>
    applyApinet(env, apinet.NATGatewayAutoscaler, { ...autoscaler }),
  );

  // R-NATGW-03: spec.ips is written by the autoscaler (SIM-08) and survives our apply (SRV-06).
  const statusPatch = natGatewayStatusPatch(natgw, applied);
  if (statusPatch) {
    await atStep(key, 'status', `status patch (ips ${JSON.stringify(statusPatch.status.ips)})`, () =>
      patchIroncoreStatus(env.ironcore, ironcore.NATGateway, natgw, statusPatch.status),
    );
  }
  return done();
}

export const natGatewayReconciler: KindReconciler<IroncoreNATGateway> = {
  kind: 'NATGateway',
  schema: IroncoreNATGateway,
  reconcile: reconcileNATGateway,
  // R-NATGW-04: as R-LB-08; the autoscaler goes by owner-reference GC.
  finalize: finalizeApinetByUid(apinet.NATGateway),
  // R-GEN-06: only the primary apinet kind; the autoscaler follows by GC.
  gone: deleteApinetOfGone('NATGateway', apinet.NATGateway),
};
