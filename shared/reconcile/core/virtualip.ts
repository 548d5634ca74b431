/**
 * VirtualIP reconcile core (behavior.md 3.7): the apinet IP apply body and the ironcore status
 * patch. Shell order: apply {@link desiredApinetIP} → {@link virtualIPStatusPatch} on the
 * applied IP (on failure: {@link virtualIPFailureStatusPatch}).
 */
import { finalizerOf } from '../../api/origin.ts';
import type { IroncoreVirtualIP } from '../../api/ironcore.ts';
import { apinet, apiVersionOf } from '../../api/resources.ts';
import { originMetadata, type CoreSettings } from './common.ts';

export const VIRTUAL_IP_FINALIZER = finalizerOf('VirtualIP');

export interface VirtualIPObserved {
  readonly virtualIP: IroncoreVirtualIP;
  readonly settings: CoreSettings;
}

export interface ApinetIPApply {
  apiVersion: string;
  kind: 'IP';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { type: 'Public'; ipFamily: string };
}

/**
 * R-VIP-01: `ANS/<vip uid>`, always `type: Public` whatever the VIP type; no `spec.ip` (the
 * server allocates, SRV-02) and no `claimRef` (the claiming NIC's, SRV-05, must survive).
 */
export function desiredApinetIP(observed: VirtualIPObserved): ApinetIPApply {
  const origin = originMetadata('VirtualIP', observed.virtualIP.metadata);
  return {
    apiVersion: apiVersionOf(apinet.IP),
    kind: 'IP',
    metadata: { name: origin.uid, namespace: observed.settings.apinetNamespace, labels: origin.labels, annotations: origin.annotations },
    spec: { type: 'Public', ipFamily: observed.virtualIP.spec.ipFamily },
  };
}

/** R-VIP-02: `status.ip` = the applied IP's `spec.ip`; null when unchanged. */
export function virtualIPStatusPatch(vip: IroncoreVirtualIP, applied: { readonly spec: { readonly ip?: string | null } }): { status: { ip: string | null } } | null {
  const ip = applied.spec.ip || null;
  const current = vip.status?.ip || null;
  return ip === current ? null : { status: { ip } };
}

/**
 * R-VIP-02: when the apply fails nothing changes — an unset `status.ip` stays unset, a set one is
 * kept; the error is retried. (Go sends an empty patch here.) Always null; kept so the shell
 * reads the same for every kind.
 */
export function virtualIPFailureStatusPatch(_vip: IroncoreVirtualIP): null {
  return null;
}

