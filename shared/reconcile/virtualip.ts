/**
 * VirtualIP reconcile shell (behavior.md 3.7): applies the public apinet IP `ANS/<uid>` and
 * copies its server-allocated address into `status.ip`. Decisions in ./core/virtualip.ts.
 */
import { ApinetIP } from '../api/apinet.ts';
import { IroncoreVirtualIP } from '../api/ironcore.ts';
import { apinet, ironcore } from '../api/resources.ts';
import { done, type ReconcileResult } from '../queue/result.ts';
import { desiredApinetIP, virtualIPStatusPatch } from './core/virtualip.ts';
import { objectKey } from './core/errors.ts';
import type { KindReconciler, ReconcileEnv } from './runtime.ts';
import { applyApinet, atStep, deleteApinetOfGone, finalizeApinetByUid, parseAs, patchIroncoreStatus } from './steps.ts';

async function reconcileVirtualIP(vip: IroncoreVirtualIP, env: ReconcileEnv): Promise<ReconcileResult> {
  const key = objectKey(vip.metadata);
  const body = desiredApinetIP({ virtualIP: vip, settings: { apinetNamespace: env.settings.apinetNamespace } });
  const ipKey = `${body.metadata.namespace}/${body.metadata.name}`;
  // R-VIP-02: a failed apply throws before any status write, so an unset status.ip stays unset.
  const applied = parseAs(
    ApinetIP,
    await atStep(key, 'apply', `apply of apinet IP ${ipKey}`, () => applyApinet(env, apinet.IP, { ...body })),
    key,
    'apply',
    `apinet IP ${ipKey}`,
  );
  const statusPatch = virtualIPStatusPatch(vip, applied);
  if (statusPatch) {
    await atStep(key, 'status', `status patch (ip ${statusPatch.status.ip})`, () => patchIroncoreStatus(env.ironcore, ironcore.VirtualIP, vip, statusPatch.status));
  }
  return done();
}

export const virtualIpReconciler: KindReconciler<IroncoreVirtualIP> = {
  kind: 'VirtualIP',
  schema: IroncoreVirtualIP,
  reconcile: reconcileVirtualIP,
  // R-VIP-03: apinet IP deleted, requeue until gone, then the shell removes the finalizer.
  finalize: finalizeApinetByUid(apinet.IP),
  // R-GEN-06: apinet IPs whose origin names this gone key.
  gone: deleteApinetOfGone('VirtualIP', apinet.IP),
};
