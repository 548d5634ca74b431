import { z } from 'zod';
import { IP, IPFamily, IPPrefix } from './ip.ts';
import {
  ConditionStatus,
  LabelSelector,
  LabelSelectorRequirement,
  LocalObjectReference,
  LocalUIDReference,
  ObjectMeta,
  typeMeta,
  Protocol,
  RequiredObjectReference,
} from './meta.ts';

/**
 * Objects of the ironcore cluster (networking.ironcore.dev and ipam.ironcore.dev), JSON names
 * as in ironcore-api.md section 4. Loose objects: unknown fields survive a parse. Optional
 * lists and pointers may also arrive as `null` (Go nil), hence `.nullish()`.
 */


// ---- ipam.ironcore.dev Prefix (4.8) -------------------------------------------------------

export const IroncorePrefixSpec = z.looseObject({
  ipFamily: IPFamily.optional(),
  prefix: IPPrefix.nullish(),
  prefixLength: z.number().int().optional(),
  parentRef: LocalObjectReference.nullish(),
  parentSelector: LabelSelector.nullish(),
});
export type IroncorePrefixSpec = z.infer<typeof IroncorePrefixSpec>;

export const PREFIX_PHASES = ['Pending', 'Allocated'] as const;

export const IroncorePrefix = z.looseObject({
  ...typeMeta,
  spec: IroncorePrefixSpec.default({}),
  status: z
    .looseObject({
      // Not enum-validated by the server (8.10): keep any string.
      phase: z.string().optional(),
      lastPhaseTransitionTime: z.string().nullish(),
      used: z.array(IPPrefix).nullish(),
    })
    .optional(),
});
export type IroncorePrefix = z.infer<typeof IroncorePrefix>;

export const IroncorePrefixTemplate = z.looseObject({
  metadata: ObjectMeta.optional(),
  spec: IroncorePrefixSpec.default({}),
});
export type IroncorePrefixTemplate = z.infer<typeof IroncorePrefixTemplate>;

/** IPSource (NIC and LB `spec.ips[]`): a literal value or an ephemeral Prefix template. */
export const IroncoreIPSource = z.looseObject({
  value: IP.nullish(),
  ephemeral: z.looseObject({ prefixTemplate: IroncorePrefixTemplate.nullish() }).nullish(),
});
export type IroncoreIPSource = z.infer<typeof IroncoreIPSource>;

/** PrefixSource (NIC `spec.prefixes[]`). */
export const IroncorePrefixSource = z.looseObject({
  value: IPPrefix.nullish(),
  ephemeral: z.looseObject({ prefixTemplate: IroncorePrefixTemplate.nullish() }).nullish(),
});
export type IroncorePrefixSource = z.infer<typeof IroncorePrefixSource>;

// ---- Network (4.1) ------------------------------------------------------------------------

export const IroncorePeeringPrefix = z.looseObject({
  name: z.string(),
  prefix: IPPrefix.nullish(),
  prefixRef: LocalObjectReference.nullish(),
});
export type IroncorePeeringPrefix = z.infer<typeof IroncorePeeringPrefix>;

export const IroncoreNetworkPeering = z.looseObject({
  name: z.string(),
  networkRef: z.looseObject({ namespace: z.string().optional(), name: z.string() }),
  prefixes: z.array(IroncorePeeringPrefix).nullish(),
});
export type IroncoreNetworkPeering = z.infer<typeof IroncoreNetworkPeering>;

export const IroncoreNetworkPeeringClaimRef = z.looseObject({
  namespace: z.string().optional(),
  name: z.string(),
  uid: z.string().optional(),
});
export type IroncoreNetworkPeeringClaimRef = z.infer<typeof IroncoreNetworkPeeringClaimRef>;

export const NETWORK_STATES = ['Pending', 'Available', 'Error'] as const;
export const PEERING_STATES = ['Pending', 'Ready', 'Error'] as const;

export const IroncoreNetworkPeeringStatus = z.looseObject({
  name: z.string(),
  state: z.string().optional(),
  prefixes: z.array(z.looseObject({ name: z.string(), prefix: IPPrefix.nullish() })).nullish(),
});
export type IroncoreNetworkPeeringStatus = z.infer<typeof IroncoreNetworkPeeringStatus>;

export const IroncoreNetworkStatus = z.looseObject({
  state: z.string().optional(),
  peerings: z.array(IroncoreNetworkPeeringStatus).nullish(),
});
export type IroncoreNetworkStatus = z.infer<typeof IroncoreNetworkStatus>;

export const IroncoreNetwork = z.looseObject({
  ...typeMeta,
  spec: z
    .looseObject({
      providerID: z.string().optional(),
      peerings: z.array(IroncoreNetworkPeering).nullish(),
      // Go field PeeringClaimRefs (behavior.md 2.3).
      incomingPeerings: z.array(IroncoreNetworkPeeringClaimRef).nullish(),
    })
    .default({}),
  status: IroncoreNetworkStatus.optional(),
});
export type IroncoreNetwork = z.infer<typeof IroncoreNetwork>;

// ---- VirtualIP (4.3) ----------------------------------------------------------------------

export const IroncoreVirtualIPSpec = z.looseObject({
  type: z.string(),
  ipFamily: IPFamily,
  targetRef: LocalUIDReference.nullish(),
});
export type IroncoreVirtualIPSpec = z.infer<typeof IroncoreVirtualIPSpec>;

export const IroncoreVirtualIP = z.looseObject({
  ...typeMeta,
  spec: IroncoreVirtualIPSpec,
  status: z.looseObject({ ip: IP.nullish() }).optional(),
});
export type IroncoreVirtualIP = z.infer<typeof IroncoreVirtualIP>;

// ---- NetworkInterface (4.2) ---------------------------------------------------------------

export const IroncoreVirtualIPSource = z.looseObject({
  virtualIPRef: LocalObjectReference.nullish(),
  ephemeral: z
    .looseObject({
      virtualIPTemplate: z
        .looseObject({
          metadata: ObjectMeta.optional(),
          spec: IroncoreVirtualIPSpec.partial().extend({ reclaimPolicy: z.string().optional() }).default({}),
        })
        .nullish(),
    })
    .nullish(),
});
export type IroncoreVirtualIPSource = z.infer<typeof IroncoreVirtualIPSource>;

export const NETWORK_INTERFACE_STATES = ['Pending', 'Available', 'Error'] as const;

export const IroncoreNetworkInterfaceStatus = z.looseObject({
  state: z.string().optional(),
  lastStateTransitionTime: z.string().nullish(),
  ips: z.array(IP).nullish(),
  prefixes: z.array(IPPrefix).nullish(),
  virtualIP: IP.nullish(),
});
export type IroncoreNetworkInterfaceStatus = z.infer<typeof IroncoreNetworkInterfaceStatus>;

export const IroncoreNetworkInterface = z.looseObject({
  ...typeMeta,
  spec: z.looseObject({
    providerID: z.string().optional(),
    networkRef: RequiredObjectReference,
    machineRef: LocalUIDReference.nullish(),
    ipFamilies: z.array(IPFamily).nullish(),
    ips: z.array(IroncoreIPSource).nullish(),
    prefixes: z.array(IroncorePrefixSource).nullish(),
    virtualIP: IroncoreVirtualIPSource.nullish(),
    attributes: z.record(z.string(), z.string()).nullish(),
  }),
  status: IroncoreNetworkInterfaceStatus.optional(),
});
export type IroncoreNetworkInterface = z.infer<typeof IroncoreNetworkInterface>;

// ---- LoadBalancer (4.4) and LoadBalancerRouting (4.5) --------------------------------------

export const LOAD_BALANCER_TYPES = ['Public', 'Internal'] as const;

export const IroncoreLoadBalancerPort = z.looseObject({
  protocol: Protocol.nullish(),
  port: z.number().int(),
  endPort: z.number().int().nullish(),
});
export type IroncoreLoadBalancerPort = z.infer<typeof IroncoreLoadBalancerPort>;

export const IroncoreLoadBalancer = z.looseObject({
  ...typeMeta,
  spec: z.looseObject({
    type: z.enum(LOAD_BALANCER_TYPES),
    ipFamilies: z.array(IPFamily).nullish(),
    ips: z.array(IroncoreIPSource).nullish(),
    networkRef: RequiredObjectReference,
    networkInterfaceSelector: LabelSelector.nullish(),
    ports: z.array(IroncoreLoadBalancerPort).nullish(),
  }),
  status: z.looseObject({ ips: z.array(IP).nullish() }).optional(),
});
export type IroncoreLoadBalancer = z.infer<typeof IroncoreLoadBalancer>;

export const IroncoreLoadBalancerDestination = z.looseObject({
  ip: IP,
  targetRef: z
    .looseObject({ uid: z.string(), name: z.string(), providerID: z.string() })
    .nullish(),
});
export type IroncoreLoadBalancerDestination = z.infer<typeof IroncoreLoadBalancerDestination>;

/** Top-level fields, no spec/status (4.5). */
export const IroncoreLoadBalancerRouting = z.looseObject({
  ...typeMeta,
  networkRef: LocalUIDReference,
  destinations: z.array(IroncoreLoadBalancerDestination).nullish(),
});
export type IroncoreLoadBalancerRouting = z.infer<typeof IroncoreLoadBalancerRouting>;

// ---- NATGateway (4.6) ---------------------------------------------------------------------

/** `DefaultPortsPerNetworkInterface` (ironcore-api.md 5). */
export const DEFAULT_PORTS_PER_NETWORK_INTERFACE = 2048;

export const IroncoreNATGateway = z.looseObject({
  ...typeMeta,
  spec: z.looseObject({
    type: z.string(),
    ipFamily: IPFamily,
    networkRef: RequiredObjectReference,
    portsPerNetworkInterface: z.number().int().nullish(),
  }),
  status: z.looseObject({ ips: z.array(IP).nullish() }).optional(),
});
export type IroncoreNATGateway = z.infer<typeof IroncoreNATGateway>;

// ---- NetworkPolicy (4.7) ------------------------------------------------------------------

/** ObjectSelector: `kind` plus an inlined label selector (2.6). */
export const IroncoreObjectSelector = z.looseObject({
  kind: z.string(),
  matchLabels: z.record(z.string(), z.string()).nullish(),
  matchExpressions: z.array(LabelSelectorRequirement).nullish(),
});
export type IroncoreObjectSelector = z.infer<typeof IroncoreObjectSelector>;

export const IroncoreIPBlock = z.looseObject({
  cidr: IPPrefix,
  except: z.array(IPPrefix).nullish(),
});
export type IroncoreIPBlock = z.infer<typeof IroncoreIPBlock>;

export const IroncoreNetworkPolicyPeer = z.looseObject({
  objectSelector: IroncoreObjectSelector.nullish(),
  ipBlock: IroncoreIPBlock.nullish(),
});
export type IroncoreNetworkPolicyPeer = z.infer<typeof IroncoreNetworkPolicyPeer>;

export const IroncoreNetworkPolicyPort = z.looseObject({
  protocol: Protocol.nullish(),
  port: z.number().int().optional(),
  endPort: z.number().int().nullish(),
});
export type IroncoreNetworkPolicyPort = z.infer<typeof IroncoreNetworkPolicyPort>;

export const IroncoreNetworkPolicyIngressRule = z.looseObject({
  ports: z.array(IroncoreNetworkPolicyPort).nullish(),
  from: z.array(IroncoreNetworkPolicyPeer).nullish(),
});
export type IroncoreNetworkPolicyIngressRule = z.infer<typeof IroncoreNetworkPolicyIngressRule>;

export const IroncoreNetworkPolicyEgressRule = z.looseObject({
  ports: z.array(IroncoreNetworkPolicyPort).nullish(),
  to: z.array(IroncoreNetworkPolicyPeer).nullish(),
});
export type IroncoreNetworkPolicyEgressRule = z.infer<typeof IroncoreNetworkPolicyEgressRule>;

export const IroncoreNetworkPolicyCondition = z.looseObject({
  type: z.string(),
  status: ConditionStatus,
  reason: z.string().optional(),
  message: z.string().optional(),
  observedGeneration: z.number().int().optional(),
  lastTransitionTime: z.string().nullish(),
});
export type IroncoreNetworkPolicyCondition = z.infer<typeof IroncoreNetworkPolicyCondition>;

export const IroncoreNetworkPolicy = z.looseObject({
  ...typeMeta,
  spec: z.looseObject({
    networkRef: RequiredObjectReference,
    // Non-pointer: always present; `{}` selects every NIC of the network.
    networkInterfaceSelector: LabelSelector.default({}),
    ingress: z.array(IroncoreNetworkPolicyIngressRule).nullish(),
    egress: z.array(IroncoreNetworkPolicyEgressRule).nullish(),
    // Any string is kept: an unknown policy type is an error the reconciler reports (4.7).
    policyTypes: z.array(z.string()).nullish(),
  }),
  status: z.looseObject({ conditions: z.array(IroncoreNetworkPolicyCondition).nullish() }).optional(),
});
export type IroncoreNetworkPolicy = z.infer<typeof IroncoreNetworkPolicy>;
