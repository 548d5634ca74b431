/**
 * The ironcore flavour: the `networking.ironcore.dev` and `ipam.ironcore.dev` kinds the
 * apinetlet uses (ironcore-api.md §3), with the scheme defaulting (§6), the registry strategies
 * (§7) and the validation (§8) of the real aggregated ironcore API server.
 */
import type { ServedKind } from '../kinds.ts';
import type { FieldCause, Flavour, HookContext, KindDef, KindHooks, KubeObject } from '../types.ts';
import { decodeIpFields, type IpFieldPaths } from './decode.ts';
import { defaultLoadBalancer, defaultNATGateway, defaultNetworkInterface, defaultNetworkPolicy, defaultPrefix } from './ironcore-defaults.ts';
import { validateNetwork, validateNetworkInterface, validatePrefix, validatePrefixStatus, validateVirtualIp } from './ironcore-validation-network.ts';
import { validateLoadBalancer, validateLoadBalancerRouting, validateNATGateway, validateNetworkPolicy } from './ironcore-validation-services.ts';

export const NETWORKING_GROUP = 'networking.ironcore.dev';
export const IPAM_GROUP = 'ipam.ironcore.dev';

/**
 * Registry strategy details the generic `statusSubresource` switch cannot express
 * (ironcore-api.md §7, §12.7). The generic core honours them when it knows the field; without it
 * a kind behaves like a CRD with a status subresource.
 * - `statusOnCreate: 'keep'`: a create through the main resource keeps the body's status.
 * - `statusOnMainUpdate: 'request'`: a main-resource update takes status from the request
 *   (SRV-08: ipam Prefix status can be written by a plain merge patch).
 * - `specOnStatusUpdate: 'request'`: a `/status` write can change spec.
 */
export interface RegistryStrategy {
  statusOnCreate?: 'drop' | 'keep';
  statusOnMainUpdate?: 'stored' | 'request';
  specOnStatusUpdate?: 'stored' | 'request';
}

export type FlavourKindDef = KindDef & { strategy?: RegistryStrategy };

interface KindBehaviour {
  decode?: IpFieldPaths;
  default?: (obj: KubeObject, ctx: HookContext) => void;
  validate?: (obj: KubeObject, old: KubeObject | undefined, ctx: HookContext) => FieldCause[];
}

/** Hooks in the real order: decode (400 on a malformed IP) and defaulting, then validation. */
function hooks(b: KindBehaviour): KindHooks {
  return {
    default(obj, ctx) {
      if (b.decode) decodeIpFields(obj, b.decode);
      b.default?.(obj, ctx);
    },
    ...(b.validate ? { validate: b.validate } : {}),
  };
}

const MERGE_LISTS = { 'metadata.ownerReferences': ['uid'] };
const SETS = ['metadata.finalizers'];

function kind(
  group: string,
  k: string,
  resource: string,
  opts: Pick<KindDef, 'statusSubresource' | 'nameRule'> & {
    shortNames?: string[];
    generation?: boolean;
    listMapKeys?: Record<string, string[]>;
    strategy?: RegistryStrategy;
    /** Status only through /status: dropped on create, the stored one kept on main writes (kinds.ts). */
    resetsStatusOnMainWrite?: boolean;
  },
  behaviour: KindBehaviour,
): FlavourKindDef & ServedKind {
  return {
    group,
    version: 'v1alpha1',
    kind: k,
    resource,
    singular: k.toLowerCase(),
    ...(opts.shortNames ? { shortNames: opts.shortNames } : {}),
    namespaced: true,
    statusSubresource: opts.statusSubresource,
    nameRule: opts.nameRule,
    generation: opts.generation ?? false,
    listMapKeys: { ...MERGE_LISTS, ...(opts.listMapKeys ?? {}) },
    listSets: SETS,
    ...(opts.strategy ? { strategy: opts.strategy } : {}),
    ...(opts.resetsStatusOnMainWrite ? { resetsStatusOnMainWrite: true } : {}),
    hooks: hooks(behaviour),
  };
}

export function ironcoreFlavour(): Flavour {
  const kinds: FlavourKindDef[] = [
    kind(NETWORKING_GROUP, 'Network', 'networks',
      // §7: status cleared on create, kept on main updates; generation managed (the only such kind).
      // Measured on the real ironcore-apiserver (test/integration/conformance): a status sent
      // through the main resource is ignored, as for LoadBalancer below.
      { statusSubresource: true, nameRule: 'subdomain', shortNames: ['net'], generation: true, resetsStatusOnMainWrite: true,
        listMapKeys: { 'spec.peerings': ['name'], 'spec.incomingPeerings': ['name'], 'status.peerings': ['name'] } },
      { decode: { prefixes: ['spec.peerings[].prefixes[].prefix', 'status.peerings[].prefixes[].prefix'] }, validate: validateNetwork }),
    kind(NETWORKING_GROUP, 'NetworkInterface', 'networkinterfaces',
      { statusSubresource: true, nameRule: 'subdomain', shortNames: ['nic'], strategy: { statusOnCreate: 'keep', statusOnMainUpdate: 'request' } },
      {
        decode: {
          ips: ['spec.ips[].value', 'status.ips[]', 'status.virtualIP'],
          prefixes: ['spec.prefixes[].value', 'spec.ips[].ephemeral.prefixTemplate.spec.prefix', 'spec.prefixes[].ephemeral.prefixTemplate.spec.prefix', 'status.prefixes[]'],
        },
        default: (obj) => defaultNetworkInterface(obj),
        validate: validateNetworkInterface,
      }),
    kind(NETWORKING_GROUP, 'VirtualIP', 'virtualips',
      { statusSubresource: true, nameRule: 'label', shortNames: ['vip'], strategy: { statusOnCreate: 'keep', statusOnMainUpdate: 'request' } },
      { decode: { ips: ['status.ip'] }, validate: validateVirtualIp }),
    kind(NETWORKING_GROUP, 'LoadBalancer', 'loadbalancers',
      { statusSubresource: true, nameRule: 'label', shortNames: ['lb'], strategy: { specOnStatusUpdate: 'request' }, resetsStatusOnMainWrite: true },
      {
        decode: { ips: ['spec.ips[].value', 'status.ips[]'], prefixes: ['spec.ips[].ephemeral.prefixTemplate.spec.prefix'] },
        default: (obj, ctx) => defaultLoadBalancer(obj, ctx.subresource),
        validate: validateLoadBalancer,
      }),
    kind(NETWORKING_GROUP, 'LoadBalancerRouting', 'loadbalancerroutings',
      { statusSubresource: false, nameRule: 'subdomain', shortNames: ['lbr', 'lbrt'] },
      { decode: { ips: ['destinations[].ip'] }, validate: (obj) => validateLoadBalancerRouting(obj) }),
    kind(NETWORKING_GROUP, 'NATGateway', 'natgateways',
      { statusSubresource: true, nameRule: 'label', shortNames: ['ngw'], strategy: { statusOnCreate: 'keep', statusOnMainUpdate: 'request', specOnStatusUpdate: 'request' } },
      { decode: { ips: ['status.ips[]'] }, default: (obj) => defaultNATGateway(obj), validate: validateNATGateway }),
    kind(NETWORKING_GROUP, 'NetworkPolicy', 'networkpolicies',
      { statusSubresource: true, nameRule: 'subdomain', shortNames: ['netpol'], strategy: { specOnStatusUpdate: 'request' } },
      {
        decode: { prefixes: ['spec.ingress[].from[].ipBlock.cidr', 'spec.ingress[].from[].ipBlock.except[]', 'spec.egress[].to[].ipBlock.cidr', 'spec.egress[].to[].ipBlock.except[]'] },
        default: (obj) => defaultNetworkPolicy(obj),
        validate: validateNetworkPolicy,
      }),
    kind(IPAM_GROUP, 'Prefix', 'prefixes',
      // SRV-08: the Prefix strategy keeps the request's status on main writes.
      { statusSubresource: true, nameRule: 'subdomain', strategy: { statusOnCreate: 'keep', statusOnMainUpdate: 'request' } },
      {
        decode: { prefixes: ['spec.prefix', 'status.used[]'] },
        default: (obj) => defaultPrefix(obj),
        // §8.10: a /status write runs only the status rules (spec is the stored one).
        validate: (obj, old, ctx) => (ctx.subresource === 'status' ? validatePrefixStatus(obj, old) : validatePrefix(obj, old)),
      }),
  ];
  return { name: 'ironcore', kinds };
}
