/**
 * NATGateway reconcile core (behavior.md 3.4): from the observed ironcore NATGateway and its
 * Network to the apinet NATGateway and NATGatewayAutoscaler apply bodies and the ironcore
 * status patch.
 *
 * Shell order: read the NAT gateway and its Network → {@link natGatewayPlan} (skip, or apply
 * the NAT gateway) → apply {@link desiredApinetNATGatewayAutoscaler} with the applied
 * gateway's uid → {@link natGatewayStatusPatch} on the applied gateway.
 */
import { finalizerOf } from '../../api/origin.ts';
import { DEFAULT_PORTS_PER_NETWORK_INTERFACE, type IroncoreNATGateway, type IroncoreNetwork } from '../../api/ironcore.ts';
import { apinet, apiVersionOf } from '../../api/resources.ts';
import { apinetControllerReference, ipsStatusPatch, originMetadata, type ControllerOwnerReference, type OwnedProjectionMeta, type CoreSettings } from './common.ts';
import { ReconcileError, objectKey } from './errors.ts';

export const NAT_GATEWAY_FINALIZER = finalizerOf('NATGateway');
/** R-NATGW-02: hard-coded bounds of the autoscaler, as in the Go apinetlet. */
export const NAT_GATEWAY_MIN_PUBLIC_IPS = 1;
export const NAT_GATEWAY_MAX_PUBLIC_IPS = 10;

export interface NATGatewayObserved {
  readonly natGateway: IroncoreNATGateway;
  /** The ironcore Network `<natgw ns>/<spec.networkRef.name>`; null = not found. */
  readonly network: IroncoreNetwork | null;
  readonly settings: CoreSettings;
}

export interface ApinetNATGatewayApply {
  apiVersion: string;
  kind: 'NATGateway';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { ipFamily: string; networkRef: { name: string }; portsPerNetworkInterface: number };
}

export interface ApinetNATGatewayAutoscalerApply {
  apiVersion: string;
  kind: 'NATGatewayAutoscaler';
  metadata: OwnedProjectionMeta;
  spec: { natGatewayRef: { name: string }; minPublicIPs: number; maxPublicIPs: number };
}

/**
 * Without its ironcore Network there is nothing to apply; not an error, because a Network event
 * re-triggers the NAT gateway (R-NATGW-05).
 */
export type NATGatewayPlan =
  | { readonly action: 'skip'; readonly reason: 'network-missing'; readonly message: string }
  | { readonly action: 'apply'; readonly natGateway: ApinetNATGatewayApply };

/** The only other object the shell reads: the ironcore Network (R-NATGW-01; its apinet projection is not needed). */
export function natGatewayReads(natgw: IroncoreNATGateway): { namespace: string; network: string } {
  return { namespace: natgw.metadata.namespace ?? '', network: natgw.spec.networkRef.name };
}

/**
 * R-NATGW-01: the apply body of `ANS/<natgw uid>`. `spec.ips` is never sent: the autoscaler owns
 * it (SRV-06); `spec.type` is not transferred.
 */
export function desiredApinetNATGateway(observed: NATGatewayObserved & { readonly network: IroncoreNetwork }): ApinetNATGatewayApply {
  const natgw = observed.natGateway;
  const networkUid = observed.network.metadata.uid;
  if (!networkUid) {
    throw new ReconcileError(objectKey(natgw.metadata), 'desired', `ironcore Network ${objectKey(observed.network.metadata)} has no metadata.uid; pass the object as read from the cluster`, { retryable: false });
  }
  const origin = originMetadata('NATGateway', natgw.metadata);
  return {
    apiVersion: apiVersionOf(apinet.NATGateway),
    kind: 'NATGateway',
    metadata: { name: origin.uid, namespace: observed.settings.apinetNamespace, labels: origin.labels, annotations: origin.annotations },
    spec: {
      ipFamily: natgw.spec.ipFamily,
      networkRef: { name: networkUid },
      portsPerNetworkInterface: natgw.spec.portsPerNetworkInterface ?? DEFAULT_PORTS_PER_NETWORK_INTERFACE,
    },
  };
}

export function natGatewayPlan(observed: NATGatewayObserved): NATGatewayPlan {
  const network = observed.network;
  if (!network) {
    const { metadata, spec } = observed.natGateway;
    return { action: 'skip', reason: 'network-missing', message: `${objectKey(metadata)}: ironcore Network ${metadata.namespace}/${spec.networkRef.name} not found; nothing applied` };
  }
  return { action: 'apply', natGateway: desiredApinetNATGateway({ ...observed, network }) };
}

/** R-NATGW-02: the autoscaler `ANS/<natgw uid>`, owned by the applied apinet NATGateway. */
export function desiredApinetNATGatewayAutoscaler(
  observed: Pick<NATGatewayObserved, 'natGateway' | 'settings'>,
  appliedNatGateway: { readonly metadata: { readonly name?: string; readonly uid?: string } },
): ApinetNATGatewayAutoscalerApply {
  const origin = originMetadata('NATGateway', observed.natGateway.metadata);
  const { name, uid } = appliedNatGateway.metadata;
  if (!name || !uid) {
    throw new ReconcileError(objectKey(observed.natGateway.metadata), 'desired', `apinet NATGateway ${observed.settings.apinetNamespace}/${name ?? origin.uid} has no metadata.uid; pass the object the apply returned`, { retryable: false });
  }
  return {
    apiVersion: apiVersionOf(apinet.NATGatewayAutoscaler),
    kind: 'NATGatewayAutoscaler',
    metadata: {
      name: origin.uid,
      namespace: observed.settings.apinetNamespace,
      labels: origin.labels,
      annotations: origin.annotations,
      ownerReferences: [apinetControllerReference('NATGateway', { name, uid })],
    },
    spec: { natGatewayRef: { name }, minPublicIPs: NAT_GATEWAY_MIN_PUBLIC_IPS, maxPublicIPs: NAT_GATEWAY_MAX_PUBLIC_IPS },
  };
}

/** R-NATGW-03: ironcore `status.ips` follows the applied `spec.ips[].ip` in order, down to empty; null when unchanged. */
export function natGatewayStatusPatch(
  natgw: IroncoreNATGateway,
  applied: { readonly spec: { readonly ips?: ReadonlyArray<{ readonly ip?: string | null }> | null } },
): { status: { ips: string[] | null } } | null {
  return ipsStatusPatch(natgw.status?.ips, applied.spec.ips);
}


/** R-NATGW-05: whether a Network event concerns this NAT gateway (same namespace, named network). */
export function natGatewayUsesNetwork(natgw: IroncoreNATGateway, network: { readonly namespace?: string; readonly name?: string }): boolean {
  return natgw.metadata.namespace === network.namespace && natgw.spec.networkRef.name === network.name;
}
