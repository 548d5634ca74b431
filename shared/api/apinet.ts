import { z } from 'zod';
import { IP, IPFamily, IPPrefix } from './ip.ts';
import { ApinetInstanceTemplate, ApinetLoadBalancerPort } from './apinet-instance.ts';
import {
  LabelSelector,
  LabelSelectorRequirement,
  LocalObjectReference,
  LocalUIDReference,
  ObjectMeta,
  typeMeta,
  Protocol,
} from './meta.ts';

/**
 * Objects of the apinet cluster (core.apinet.ironcore.dev/v1alpha1), JSON names as in
 * apinet-api.md section 5. Loose objects. Go emits unset IP/prefix struct fields as `null`
 * (apinet-api.md 2.1), so such fields are `.nullish()`.
 */


export * from './apinet-instance.ts';

const emptyStatus = z.looseObject({}).optional();

// ---- shared nested types (5.1) -------------------------------------------------------------

export const ApinetObjectSelector = z.looseObject({
  kind: z.string(),
  matchLabels: z.record(z.string(), z.string()).nullish(),
  matchExpressions: z.array(LabelSelectorRequirement).nullish(),
});
export type ApinetObjectSelector = z.infer<typeof ApinetObjectSelector>;

export const ApinetIPBlock = z.looseObject({
  cidr: IPPrefix.nullable(),
  except: z.array(IPPrefix).nullish(),
});
export type ApinetIPBlock = z.infer<typeof ApinetIPBlock>;

export const ApinetNetworkPolicyPort = z.looseObject({
  protocol: Protocol.nullish(),
  // omitempty: absent means 0 = all ports.
  port: z.number().int().optional(),
  endPort: z.number().int().nullish(),
});
export type ApinetNetworkPolicyPort = z.infer<typeof ApinetNetworkPolicyPort>;

export const ApinetObjectIP = z.looseObject({
  ipFamily: IPFamily.optional(),
  prefix: IPPrefix.nullish(),
});
export type ApinetObjectIP = z.infer<typeof ApinetObjectIP>;

// ---- Network (5.2) -------------------------------------------------------------------------

export const ApinetPeeringPrefix = z.looseObject({
  name: z.string(),
  prefix: IPPrefix.nullish(),
});
export type ApinetPeeringPrefix = z.infer<typeof ApinetPeeringPrefix>;

export const ApinetNetworkPeering = z.looseObject({
  name: z.string(),
  /** The peer's VNI as a decimal string. */
  id: z.string(),
  prefixes: z.array(ApinetPeeringPrefix).nullish(),
});
export type ApinetNetworkPeering = z.infer<typeof ApinetNetworkPeering>;

export const ApinetNetworkPeeringStatus = z.looseObject({
  /** The peer's VNI as a number (unlike spec). */
  id: z.number().int(),
  state: z.string().optional(),
});
export type ApinetNetworkPeeringStatus = z.infer<typeof ApinetNetworkPeeringStatus>;

export const ApinetNetwork = z.looseObject({
  ...typeMeta,
  spec: z
    .looseObject({
      id: z.string().optional(),
      peerings: z.array(ApinetNetworkPeering).nullish(),
    })
    .default({}),
  status: z
    .looseObject({
      /** Keyed by metalnetlet partition name. */
      peerings: z.record(z.string(), z.array(ApinetNetworkPeeringStatus).nullable()).nullish(),
    })
    .optional(),
});
export type ApinetNetwork = z.infer<typeof ApinetNetwork>;

// ---- IP (5.4) ------------------------------------------------------------------------------

export const ApinetIPClaimRef = z.looseObject({
  group: z.string().optional(),
  resource: z.string().optional(),
  name: z.string().optional(),
  uid: z.string().optional(),
});
export type ApinetIPClaimRef = z.infer<typeof ApinetIPClaimRef>;

export const ApinetIP = z.looseObject({
  ...typeMeta,
  spec: z.looseObject({
    type: z.string(),
    ipFamily: IPFamily.optional(),
    ip: IP.nullish(),
    claimRef: ApinetIPClaimRef.nullish(),
  }),
  status: emptyStatus,
});
export type ApinetIP = z.infer<typeof ApinetIP>;

// ---- LoadBalancer (5.6) --------------------------------------------------------------------

export const ApinetLoadBalancerIP = z.looseObject({
  name: z.string(),
  ipFamily: IPFamily.optional(),
  ip: IP.nullish(),
});
export type ApinetLoadBalancerIP = z.infer<typeof ApinetLoadBalancerIP>;

export const ApinetLoadBalancer = z.looseObject({
  ...typeMeta,
  spec: z.looseObject({
    type: z.string(),
    networkRef: LocalObjectReference,
    ips: z.array(ApinetLoadBalancerIP).nullish(),
    ports: z.array(ApinetLoadBalancerPort).nullish(),
    selector: LabelSelector.nullish(),
    template: ApinetInstanceTemplate.optional(),
  }),
  status: z.looseObject({ collisionCount: z.number().int().nullish() }).optional(),
});
export type ApinetLoadBalancer = z.infer<typeof ApinetLoadBalancer>;

// ---- LoadBalancerRouting (5.7) -------------------------------------------------------------

export const ApinetLoadBalancerDestination = z.looseObject({
  ip: IP,
  targetRef: z
    .looseObject({ uid: z.string(), name: z.string(), nodeRef: LocalObjectReference })
    .nullish(),
});
export type ApinetLoadBalancerDestination = z.infer<typeof ApinetLoadBalancerDestination>;

/** Top-level fields, no spec (5.7). */
export const ApinetLoadBalancerRouting = z.looseObject({
  ...typeMeta,
  destinations: z.array(ApinetLoadBalancerDestination).nullish(),
});
export type ApinetLoadBalancerRouting = z.infer<typeof ApinetLoadBalancerRouting>;

// ---- NATGateway (5.8) and NATGatewayAutoscaler (5.9) ---------------------------------------

export const ApinetNATGatewayIP = z.looseObject({
  name: z.string(),
  ip: IP.nullish(),
});
export type ApinetNATGatewayIP = z.infer<typeof ApinetNATGatewayIP>;

export const ApinetNATGateway = z.looseObject({
  ...typeMeta,
  spec: z.looseObject({
    ipFamily: IPFamily,
    networkRef: LocalObjectReference,
    ips: z.array(ApinetNATGatewayIP).nullish(),
    portsPerNetworkInterface: z.number().int(),
  }),
  status: z
    .looseObject({
      usedNATIPs: z.number().int().optional(),
      requestedNATIPs: z.number().int().optional(),
    })
    .optional(),
});
export type ApinetNATGateway = z.infer<typeof ApinetNATGateway>;

export const ApinetNATGatewayAutoscaler = z.looseObject({
  ...typeMeta,
  spec: z.looseObject({
    natGatewayRef: LocalObjectReference,
    minPublicIPs: z.number().int().nullish(),
    maxPublicIPs: z.number().int().nullish(),
  }),
  status: emptyStatus,
});
export type ApinetNATGatewayAutoscaler = z.infer<typeof ApinetNATGatewayAutoscaler>;

// ---- NetworkInterface (5.11) ---------------------------------------------------------------

export const ApinetNetworkInterfaceNAT = z.looseObject({
  ipFamily: IPFamily,
  claimRef: z.looseObject({ name: z.string(), uid: z.string() }),
});
export type ApinetNetworkInterfaceNAT = z.infer<typeof ApinetNetworkInterfaceNAT>;

export const ApinetNetworkInterfacePublicIP = z.looseObject({
  name: z.string(),
  ipFamily: IPFamily.optional(),
  ip: IP.nullish(),
});
export type ApinetNetworkInterfacePublicIP = z.infer<typeof ApinetNetworkInterfacePublicIP>;

export const NETWORK_INTERFACE_READY_STATES = ['Ready', 'Pending', 'Error'] as const;

export const ApinetNetworkInterfaceStatus = z.looseObject({
  // Empty until metalnetlet reports; kept as any string.
  state: z.string().optional(),
  pciAddress: z
    .looseObject({
      domain: z.string().optional(),
      bus: z.string().optional(),
      slot: z.string().optional(),
      function: z.string().optional(),
    })
    .nullish(),
  tapDevice: z.looseObject({ name: z.string().optional() }).nullish(),
  prefixes: z.array(IPPrefix).nullish(),
  publicIPs: z.array(IP).nullish(),
  natIPs: z.array(IP).nullish(),
});
export type ApinetNetworkInterfaceStatus = z.infer<typeof ApinetNetworkInterfaceStatus>;

export const ApinetNetworkInterface = z.looseObject({
  ...typeMeta,
  spec: z.looseObject({
    nodeRef: LocalObjectReference,
    networkRef: LocalObjectReference,
    ips: z.array(IP).nullish(),
    prefixes: z.array(IPPrefix).nullish(),
    // Go field NATs (behavior.md 2.3).
    natGateways: z.array(ApinetNetworkInterfaceNAT).nullish(),
    hostname: z.string().optional(),
    publicIPs: z.array(ApinetNetworkInterfacePublicIP).nullish(),
  }),
  status: ApinetNetworkInterfaceStatus.optional(),
});
export type ApinetNetworkInterface = z.infer<typeof ApinetNetworkInterface>;

// ---- NetworkPolicy (5.12) and NetworkPolicyRule (5.13) -------------------------------------

export const ApinetNetworkPolicyPeer = z.looseObject({
  objectSelector: ApinetObjectSelector.nullish(),
  ipBlock: ApinetIPBlock.nullish(),
});
export type ApinetNetworkPolicyPeer = z.infer<typeof ApinetNetworkPolicyPeer>;

export const ApinetNetworkPolicyIngressRule = z.looseObject({
  from: z.array(ApinetNetworkPolicyPeer).nullish(),
  ports: z.array(ApinetNetworkPolicyPort).nullish(),
});
export type ApinetNetworkPolicyIngressRule = z.infer<typeof ApinetNetworkPolicyIngressRule>;

export const ApinetNetworkPolicyEgressRule = z.looseObject({
  ports: z.array(ApinetNetworkPolicyPort).nullish(),
  to: z.array(ApinetNetworkPolicyPeer).nullish(),
});
export type ApinetNetworkPolicyEgressRule = z.infer<typeof ApinetNetworkPolicyEgressRule>;

/** No status field at all (5.12). */
export const ApinetNetworkPolicy = z.looseObject({
  ...typeMeta,
  spec: z.looseObject({
    networkRef: LocalObjectReference,
    networkInterfaceSelector: LabelSelector.default({}),
    priority: z.number().int().nullish(),
    ingress: z.array(ApinetNetworkPolicyIngressRule).nullish(),
    egress: z.array(ApinetNetworkPolicyEgressRule).nullish(),
    policyTypes: z.array(z.string()).nullish(),
  }),
});
export type ApinetNetworkPolicy = z.infer<typeof ApinetNetworkPolicy>;

export const ApinetTargetNetworkInterface = z.looseObject({
  ip: IP,
  targetRef: LocalUIDReference.nullish(),
});
export type ApinetTargetNetworkInterface = z.infer<typeof ApinetTargetNetworkInterface>;

/** NetworkPolicyRule `Rule`: Go CIDRBlock / ObjectIPs / NetworkPolicyPorts (behavior.md 2.3). */
export const ApinetRule = z.looseObject({
  ipBlock: z.array(ApinetIPBlock).nullish(),
  ips: z.array(ApinetObjectIP).nullish(),
  networkPolicyPorts: z.array(ApinetNetworkPolicyPort).nullish(),
});
export type ApinetRule = z.infer<typeof ApinetRule>;

/** Top-level fields, no spec (5.13); `ingressRule`/`egressRule` are singular on the wire. */
export const ApinetNetworkPolicyRule = z.looseObject({
  ...typeMeta,
  networkRef: LocalUIDReference,
  targets: z.array(ApinetTargetNetworkInterface).nullish(),
  priority: z.number().int().nullish(),
  ingressRule: z.array(ApinetRule).nullish(),
  egressRule: z.array(ApinetRule).nullish(),
});
export type ApinetNetworkPolicyRule = z.infer<typeof ApinetNetworkPolicyRule>;
