import { z } from 'zod';
import { IP } from './ip.ts';
import { LabelSelector, LocalObjectReference, ObjectMeta, Protocol } from './meta.ts';

/**
 * The instance template of an apinet LoadBalancer (apinet-api.md 5.6): the InstanceSpec with
 * its scheduling types. The server does not validate template contents.
 */

export const ApinetLoadBalancerPort = z.looseObject({
  protocol: Protocol.nullish(),
  port: z.number().int(),
  endPort: z.number().int().nullish(),
});
export type ApinetLoadBalancerPort = z.infer<typeof ApinetLoadBalancerPort>;

export const NODE_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'] as const;

export const ApinetNodeSelectorRequirement = z.looseObject({
  key: z.string(),
  operator: z.enum(NODE_SELECTOR_OPERATORS),
  values: z.array(z.string()).nullish(),
});
export type ApinetNodeSelectorRequirement = z.infer<typeof ApinetNodeSelectorRequirement>;

export const ApinetNodeSelectorTerm = z.looseObject({
  matchExpressions: z.array(ApinetNodeSelectorRequirement).nullish(),
  matchFields: z.array(ApinetNodeSelectorRequirement).nullish(),
});
export type ApinetNodeSelectorTerm = z.infer<typeof ApinetNodeSelectorTerm>;

export const ApinetInstanceAffinityTerm = z.looseObject({
  labelSelector: LabelSelector.nullish(),
  topologyKey: z.string(),
});
export type ApinetInstanceAffinityTerm = z.infer<typeof ApinetInstanceAffinityTerm>;

export const ApinetAffinity = z.looseObject({
  nodeAffinity: z
    .looseObject({
      requiredDuringSchedulingIgnoredDuringExecution: z
        .looseObject({ nodeSelectorTerms: z.array(ApinetNodeSelectorTerm).nullable() })
        .nullish(),
    })
    .nullish(),
  instanceAntiAffinity: z
    .looseObject({
      requiredDuringSchedulingIgnoredDuringExecution: z.array(ApinetInstanceAffinityTerm).nullish(),
    })
    .nullish(),
});
export type ApinetAffinity = z.infer<typeof ApinetAffinity>;

export const ApinetTopologySpreadConstraint = z.looseObject({
  maxSkew: z.number().int(),
  topologyKey: z.string(),
  whenUnsatisfiable: z.string(),
  labelSelector: LabelSelector.nullish(),
});
export type ApinetTopologySpreadConstraint = z.infer<typeof ApinetTopologySpreadConstraint>;

/** InstanceSpec; the server emits `type`/`loadBalancerType` as `""` and `networkRef` as `{}` when unset. */
export const ApinetInstanceSpec = z.looseObject({
  type: z.string().optional(),
  loadBalancerType: z.string().optional(),
  networkRef: LocalObjectReference.optional(),
  ips: z.array(IP).nullish(),
  loadBalancerPorts: z.array(ApinetLoadBalancerPort).nullish(),
  affinity: ApinetAffinity.nullish(),
  topologySpreadConstraints: z.array(ApinetTopologySpreadConstraint).nullish(),
  nodeRef: LocalObjectReference.nullish(),
});
export type ApinetInstanceSpec = z.infer<typeof ApinetInstanceSpec>;

export const ApinetInstanceTemplate = z.looseObject({
  metadata: ObjectMeta.optional(),
  spec: ApinetInstanceSpec.optional(),
});
export type ApinetInstanceTemplate = z.infer<typeof ApinetInstanceTemplate>;

