import { deletionStep } from '../../../shared/reconcile/core/common.ts';
import { describe, expect, it } from 'vitest';
import { ApinetIP } from '../../../shared/api/apinet.ts';
import { IroncoreVirtualIP } from '../../../shared/api/ironcore.ts';
import { lifecycleDecision } from '../../../shared/reconcile/core/common.ts';
import { ReconcileError } from '../../../shared/reconcile/core/errors.ts';
import {
  VIRTUAL_IP_FINALIZER,
  desiredApinetIP,
  virtualIPFailureStatusPatch,
  virtualIPStatusPatch,
} from '../../../shared/reconcile/core/virtualip.ts';

const ANS = 'apinetlet-system';
const VIP_UID = '3f1a2b4c-0000-4000-8000-000000000007';

// ironcore-api.md 4.3 example.
const vip = (over: { type?: string; ipFamily?: string; status?: object } = {}) =>
  IroncoreVirtualIP.parse({
    apiVersion: 'networking.ironcore.dev/v1alpha1',
    kind: 'VirtualIP',
    metadata: { name: 'my-nic', namespace: 'default', uid: VIP_UID, finalizers: [VIRTUAL_IP_FINALIZER] },
    spec: { type: over.type ?? 'Public', ipFamily: over.ipFamily ?? 'IPv4', targetRef: { name: 'my-nic', uid: '3f1a2b4c-0000-4000-8000-000000000003' } },
    ...(over.status ? { status: over.status } : {}),
  });
// apinet-api.md 5.4 example, as returned by the apply.
const appliedIP = (ip: string | null) =>
  ApinetIP.parse({
    metadata: { name: VIP_UID, namespace: ANS },
    spec: { type: 'Public', ipFamily: 'IPv4', ip, claimRef: { group: 'core.apinet.ironcore.dev', resource: 'networkinterfaces', name: 'apinet-nic-x7k2p', uid: '1f2e' } },
    status: {},
  });

describe('VirtualIP', () => {
  it('R-VIP-01: apinet IP named after the uid, type Public, family copied, no ip and no claimRef sent', () => {
    expect(desiredApinetIP({ virtualIP: vip({ ipFamily: 'IPv6' }), settings: { apinetNamespace: ANS } })).toEqual({
      apiVersion: 'core.apinet.ironcore.dev/v1alpha1',
      kind: 'IP',
      metadata: {
        name: VIP_UID,
        namespace: ANS,
        labels: { 'apinetlet.ironcore.dev/virtualip-uid': VIP_UID, 'apinetlet.ironcore.dev/virtualip-namespace': 'default' },
        annotations: { 'apinetlet.ironcore.dev/virtualip-name': 'my-nic' },
      },
      spec: { type: 'Public', ipFamily: 'IPv6' },
    });
  });

  it('R-VIP-01: spec.type is Public regardless of the VIP type', () => {
    expect(desiredApinetIP({ virtualIP: vip({ type: 'SomethingElse' }), settings: { apinetNamespace: ANS } }).spec.type).toBe('Public');
  });

  it('R-VIP-01: a VIP without namespace cannot be projected (typed error)', () => {
    const v = vip();
    delete v.metadata.namespace;
    expect(() => desiredApinetIP({ virtualIP: v, settings: { apinetNamespace: ANS } })).toThrow(ReconcileError);
  });

  it('R-VIP-02: status.ip = the applied spec.ip, patched only when different', () => {
    expect(virtualIPStatusPatch(vip(), appliedIP('10.0.0.17'))).toEqual({ status: { ip: '10.0.0.17' } });
    expect(virtualIPStatusPatch(vip({ status: { ip: '10.0.0.17' } }), appliedIP('10.0.0.17'))).toBeNull();
    expect(virtualIPStatusPatch(vip({ status: { ip: '10.0.0.3' } }), appliedIP('10.0.0.17'))).toEqual({ status: { ip: '10.0.0.17' } });
  });

  it('R-VIP-02: a failed apply changes nothing; an unset status.ip stays unset', () => {
    expect(virtualIPFailureStatusPatch(vip())).toBeNull();
    expect(virtualIPFailureStatusPatch(vip({ status: { ip: '10.0.0.17' } }))).toBeNull();
  });

  it('R-VIP-03: apinet IP deleted, requeue until gone, then the finalizer is removed', () => {
    expect(lifecycleDecision({ ...vip().metadata, deletionTimestamp: '2026-01-01T00:00:00Z' }, VIRTUAL_IP_FINALIZER)).toBe('delete');
    expect(deletionStep(true)).toBe('delete-apinet-and-wait');
    expect(deletionStep(false)).toBe('remove-finalizer');
  });
});
