/**
 * The NetworkPolicyRule's computed parts (behavior.md 2.6): targets (R-NP-07) and, per
 * ingress/egress rule, ports (R-NP-10), IP blocks and the object IPs resolved from object
 * selectors (R-NP-05, R-NP-07, R-NP-08).
 */
import { hostPrefix, ipFamilyOf } from '../../api/ip.ts';
import { LabelSelectorError, matchesLabelSelector, type SelectorLike } from '../../api/selector.ts';
import { UntranslatableSpecError } from './errors.ts';
import { translateIPBlock, translatePorts, type ApinetIPBlockBody, type ApinetNetworkPolicyPortBody } from './networkpolicy-translate.ts';
import type { ApinetLoadBalancer, ApinetNetworkInterface } from '../../api/apinet.ts';
import type { IroncoreNetworkPolicyPeer, IroncoreNetworkPolicyPort } from '../../api/ironcore.ts';

export interface ApinetTargetBody {
  ip: string;
  targetRef: { name: string; uid: string };
}

export interface ApinetObjectIPBody {
  ipFamily: string;
  prefix: string;
}

export interface ApinetRuleBody {
  networkPolicyPorts?: ApinetNetworkPolicyPortBody[];
  ipBlock?: ApinetIPBlockBody[];
  ips?: ApinetObjectIPBody[];
}

/** What target and object-IP resolution looks at. */
export interface RuleScope {
  /** ironcore policy key, for errors. */
  readonly key: string;
  readonly apinetNamespace: string;
  /** Name of the policy's apinet Network (= the ironcore Network UID). */
  readonly apinetNetworkName: string;
  readonly networkInterfaces: readonly ApinetNetworkInterface[];
  readonly loadBalancers: readonly ApinetLoadBalancer[];
}

/** Object selector kinds the rule can resolve (R-NP-06). */
export const SUPPORTED_OBJECT_KINDS = ['NetworkInterface', 'LoadBalancer'] as const;

/** R-NP-07: one target per IP of every Ready apinet NIC of the network whose labels match. */
export function selectedTargets(scope: RuleScope, selector: SelectorLike, field: string): ApinetTargetBody[] {
  return readyNetworkInterfaces(scope, selector, field).flatMap((nic) =>
    (nic.spec.ips ?? []).map((ip) => ({ ip, targetRef: { name: nic.metadata.name ?? '', uid: nic.metadata.uid ?? '' } })),
  );
}

/**
 * One apinet `Rule` from an ingress (`from`) or egress (`to`) rule: ports, every peer IP block,
 * and the object IPs of every object selector. `peersField` names the peers in errors
 * (e.g. `spec.ingress[0].from`).
 */
export function ruleEntries(
  scope: RuleScope,
  peers: readonly IroncoreNetworkPolicyPeer[] | null | undefined,
  ports: readonly IroncoreNetworkPolicyPort[] | null | undefined,
  peersField: string,
): ApinetRuleBody {
  const ipBlocks: ApinetIPBlockBody[] = [];
  const objectIPs: ApinetObjectIPBody[] = [];
  (peers ?? []).forEach((peer, j) => {
    if (peer.ipBlock) ipBlocks.push(translateIPBlock(peer.ipBlock));
    if (peer.objectSelector) objectIPs.push(...objectSelectorIPs(scope, peer.objectSelector, `${peersField}[${j}].objectSelector`));
  });
  const body: ApinetRuleBody = {};
  const translatedPorts = translatePorts(ports);
  if (translatedPorts) body.networkPolicyPorts = translatedPorts;
  if (ipBlocks.length > 0) body.ipBlock = ipBlocks;
  if (objectIPs.length > 0) body.ips = objectIPs;
  return body;
}

function objectSelectorIPs(scope: RuleScope, selector: IroncoreNetworkPolicyPeer['objectSelector'] & {}, field: string): ApinetObjectIPBody[] {
  switch (selector.kind) {
    case 'NetworkInterface':
      // R-NP-07: same filter as targets — this network, Ready, labels matching.
      return readyNetworkInterfaces(scope, selector, field).flatMap((nic) => (nic.spec.ips ?? []).map(objectIP));
    case 'LoadBalancer':
      return loadBalancerIPs(scope, selector, field);
    default:
      // R-NP-06: VirtualIP passes ironcore validation but cannot be resolved.
      throw new UntranslatableSpecError(
        scope.key,
        `${field}.kind`,
        `unsupported object kind ${JSON.stringify(selector.kind)}; use one of ${SUPPORTED_OBJECT_KINDS.join(', ')}`,
      );
  }
}

/**
 * R-NP-05: apinet LoadBalancers of `ANS` matching the selector, any network. An entry the server
 * has not allocated yet is left out (Go would send `prefix: null`, which selects nothing).
 */
function loadBalancerIPs(scope: RuleScope, selector: SelectorLike, field: string): ApinetObjectIPBody[] {
  return byName(scope.loadBalancers.filter((lb) => inNamespace(scope, lb) && matches(scope, selector, lb.metadata.labels, field))).flatMap((lb) =>
    (lb.spec.ips ?? []).flatMap((entry) => (entry.ip ? [{ ipFamily: entry.ipFamily ?? ipFamilyOf(entry.ip), prefix: hostPrefix(entry.ip) }] : [])),
  );
}

function objectIP(ip: string): ApinetObjectIPBody {
  return { ipFamily: ipFamilyOf(ip), prefix: hostPrefix(ip) };
}

function readyNetworkInterfaces(scope: RuleScope, selector: SelectorLike, field: string): ApinetNetworkInterface[] {
  return byName(
    scope.networkInterfaces.filter(
      (nic) =>
        inNamespace(scope, nic) &&
        nic.spec.networkRef?.name === scope.apinetNetworkName &&
        nic.status?.state === 'Ready' &&
        matches(scope, selector, nic.metadata.labels, field),
    ),
  );
}

function inNamespace(scope: RuleScope, obj: { metadata: { namespace?: string } }): boolean {
  return obj.metadata.namespace === undefined || obj.metadata.namespace === scope.apinetNamespace;
}

function matches(scope: RuleScope, selector: SelectorLike, labels: Record<string, string> | null | undefined, field: string): boolean {
  try {
    return matchesLabelSelector(selector, labels);
  } catch (err) {
    if (err instanceof LabelSelectorError) throw new UntranslatableSpecError(scope.key, field, `${err.message}; fix the selector`);
    throw err;
  }
}

/** Lists come sorted by name from the API server; sort anyway so the applied body is stable. */
function byName<T extends { metadata: { name?: string } }>(objs: T[]): T[] {
  return [...objs].sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0));
}
