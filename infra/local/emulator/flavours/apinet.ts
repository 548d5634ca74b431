/**
 * The apinet flavour: the `core.apinet.ironcore.dev/v1alpha1` kinds the apinetlet writes
 * (apinet-api.md §1, §5) with the apinet API server's defaulting, validation, field selectors,
 * server-side-apply list topology (§3.4) and allocation (§6, behavior.md SRV-01…05).
 */
import type { FieldCause, Flavour, HookContext, KindDef, KindHooks, KubeObject } from '../types.ts';
import { decodeIpFields, type IpFieldPaths } from './decode.ts';
import { asArray, asRecord } from './field.ts';
import { parseAddr } from './netip.ts';
import {
  allocateClaimerIps, allocateIpObject, allocateNetworkId, APINET_GROUP, parsePools, releaseAllClaims, releaseDroppedClaims,
  type ClaimerKind, type PublicPools,
} from './apinet-allocation.ts';
import {
  validateIp, validateLoadBalancer, validateNATGateway, validateNATGatewayAutoscaler, validateNetwork, validateNetworkInterface, validateNetworkPolicy,
} from './apinet-validation.ts';

export { DEFAULT_PUBLIC_POOLS, LABEL_IP, LABEL_IP_FAMILY, MAX_VNI, MIN_VNI } from './apinet-allocation.ts';

interface Behaviour {
  decode?: IpFieldPaths;
  /** Entries whose `ipFamily` defaults from their `ip` (the only apinet defaulter, §5.1). */
  familyFromIp?: string[];
  validate?: (obj: KubeObject, old: KubeObject | undefined, ctx: HookContext) => FieldCause[];
  /** Allocation on create (Network VNI, IP address). */
  onCreate?: (obj: KubeObject, ctx: HookContext) => void;
  claimer?: ClaimerKind;
}

function defaultFamilies(obj: KubeObject, paths: string[]): void {
  const spec = asRecord(obj['spec']);
  for (const path of paths) {
    // `spec` = the spec itself (IP), `spec.<list>` = every entry of that list.
    const list = path.split('.')[1];
    const entries = list === undefined ? [spec] : asArray(spec[list]).map(asRecord);
    for (const e of entries) {
      const a = typeof e['ip'] === 'string' ? parseAddr(e['ip']) : undefined;
      if (!e['ipFamily'] && a) e['ipFamily'] = a.family;
    }
  }
}

function hooks(b: Behaviour): KindHooks {
  const h: KindHooks = {
    default(obj) {
      if (b.decode) decodeIpFields(obj, b.decode);
      if (b.familyFromIp) defaultFamilies(obj, b.familyFromIp);
    },
  };
  if (b.validate) h.validate = b.validate;
  if (b.onCreate || b.claimer) {
    h.beforeWrite = (obj, old, ctx) => {
      if (ctx.operation === 'CREATE') b.onCreate?.(obj, ctx);
      // Status writes keep the stored spec, so there is nothing new to allocate there.
      if (b.claimer && ctx.subresource === 'main') allocateClaimerIps(b.claimer, obj, old, ctx);
    };
  }
  if (b.claimer) {
    const c = b.claimer;
    h.afterWrite = (obj, old, ctx) => releaseDroppedClaims(c, obj, old, ctx);
    h.afterDelete = (obj, ctx) => releaseAllClaims(c, obj, ctx);
  }
  return h;
}

function kind(
  k: string,
  resource: string,
  opts: { statusSubresource: boolean; shortNames?: string[]; listMapKeys?: Record<string, string[]>; atomicMaps?: string[]; fieldSelectors?: KindDef['fieldSelectors'] },
  behaviour: Behaviour,
): KindDef {
  return {
    group: APINET_GROUP,
    version: 'v1alpha1',
    kind: k,
    resource,
    singular: k.toLowerCase(),
    ...(opts.shortNames ? { shortNames: opts.shortNames } : {}),
    namespaced: true,
    statusSubresource: opts.statusSubresource,
    // §3.1: every namespaced apinet kind needs a DNS-1123 label name.
    nameRule: 'label',
    generation: false,
    listMapKeys: { 'metadata.ownerReferences': ['uid'], ...(opts.listMapKeys ?? {}) },
    listSets: ['metadata.finalizers'],
    ...(opts.atomicMaps ? { atomicMaps: opts.atomicMaps } : {}),
    ...(opts.fieldSelectors ? { fieldSelectors: opts.fieldSelectors } : {}),
    hooks: hooks(behaviour),
  };
}

const CLAIMERS = {
  LoadBalancer: {
    kind: 'LoadBalancer', resource: 'loadbalancers', list: 'ips',
    allocates: (o) => asRecord(o['spec'])['type'] === 'Public', // SRV-04: Internal IPs are stored as given.
    family: (e) => e['ipFamily'],
  },
  NATGateway: {
    kind: 'NATGateway', resource: 'natgateways', list: 'ips',
    allocates: () => true,
    family: (_e, o) => asRecord(o['spec'])['ipFamily'], // SRV-03: the gateway's family, not the entry's.
  },
  NetworkInterface: {
    kind: 'NetworkInterface', resource: 'networkinterfaces', list: 'publicIPs',
    allocates: () => true,
    family: (e) => e['ipFamily'],
  },
} satisfies Record<string, ClaimerKind>;

export function apinetFlavour(opts?: { publicPools?: { IPv4?: string; IPv6?: string } }): Flavour {
  const pools: PublicPools = parsePools(opts?.publicPools);
  const kinds: KindDef[] = [
    // §3.4: LocalObjectReference, LocalUIDReference and LabelSelector values are atomic maps for SSA.
    kind('Network', 'networks', { statusSubresource: true }, {
      decode: { prefixes: ['spec.peerings[].prefixes[].prefix'] },
      validate: validateNetwork,
      onCreate: allocateNetworkId, // SRV-01
    }),
    kind('IP', 'ips', {
      statusSubresource: false,
      fieldSelectors: { 'spec.ip': (o) => (typeof asRecord(o['spec'])['ip'] === 'string' ? (asRecord(o['spec'])['ip'] as string) : '') },
    }, {
      decode: { ips: ['spec.ip'] },
      familyFromIp: ['spec'],
      validate: validateIp,
      onCreate: (obj, ctx) => allocateIpObject(obj, pools, ctx), // SRV-02
    }),
    kind('LoadBalancer', 'loadbalancers', { statusSubresource: true, listMapKeys: { 'spec.ips': ['name'] }, atomicMaps: ['spec.networkRef', 'spec.selector', 'spec.template.spec.networkRef', 'spec.template.spec.nodeRef'] }, {
      decode: { ips: ['spec.ips[].ip'] },
      familyFromIp: ['spec.ips'],
      validate: validateLoadBalancer,
      claimer: CLAIMERS.LoadBalancer,
    }),
    kind('LoadBalancerRouting', 'loadbalancerroutings', { statusSubresource: false }, { decode: { ips: ['destinations[].ip'] } }),
    kind('NATGateway', 'natgateways', { statusSubresource: true, listMapKeys: { 'spec.ips': ['name'] }, atomicMaps: ['spec.networkRef'] }, {
      decode: { ips: ['spec.ips[].ip'] },
      validate: validateNATGateway,
      claimer: CLAIMERS.NATGateway,
    }),
    kind('NATGatewayAutoscaler', 'natgatewayautoscalers', { statusSubresource: true, atomicMaps: ['spec.natGatewayRef'] }, {
      validate: (obj, old, ctx) => validateNATGatewayAutoscaler(obj, old, ctx.subresource),
    }),
    kind('NetworkInterface', 'networkinterfaces', { statusSubresource: true, listMapKeys: { 'spec.publicIPs': ['name'] }, atomicMaps: ['spec.networkRef', 'spec.nodeRef'] }, {
      decode: { ips: ['spec.ips[]', 'spec.publicIPs[].ip', 'status.publicIPs[]', 'status.natIPs[]'], prefixes: ['spec.prefixes[]', 'status.prefixes[]'] },
      familyFromIp: ['spec.publicIPs'],
      validate: validateNetworkInterface,
      claimer: CLAIMERS.NetworkInterface, // SRV-05
    }),
    kind('NetworkPolicy', 'networkpolicies', { statusSubresource: false, shortNames: ['netpol'], atomicMaps: ['spec.networkRef', 'spec.networkInterfaceSelector'] }, {
      decode: { prefixes: ['spec.ingress[].from[].ipBlock.cidr', 'spec.ingress[].from[].ipBlock.except[]', 'spec.egress[].to[].ipBlock.cidr', 'spec.egress[].to[].ipBlock.except[]'] },
      validate: validateNetworkPolicy,
    }),
    kind('NetworkPolicyRule', 'networkpolicyrules', { statusSubresource: false, atomicMaps: ['networkRef'] }, {
      decode: { ips: ['targets[].ip'], prefixes: ['ingressRule[].ipBlock[].cidr', 'egressRule[].ipBlock[].cidr', 'ingressRule[].ips[].prefix', 'egressRule[].ips[].prefix'] },
    }),
  ];
  return { name: 'apinet', kinds };
}
