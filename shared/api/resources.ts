/**
 * Static resource table: every kind the functions read or write, with what is needed to build
 * its REST path. Paths come from here, never from discovery, so a cold start spends no
 * round trip on it.
 */
export interface ResourceInfo {
  /** API group; '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** URL plural, e.g. `networks`. */
  readonly plural: string;
  readonly namespaced: boolean;
  /** Whether `<plural>/status` is a subresource (status writes must go there). */
  readonly hasStatus: boolean;
}

export const IRONCORE_NETWORKING_GROUP = 'networking.ironcore.dev';
export const IRONCORE_IPAM_GROUP = 'ipam.ironcore.dev';
export const APINET_GROUP = 'core.apinet.ironcore.dev';
export const V1ALPHA1 = 'v1alpha1';

const r = (group: string, kind: string, plural: string, hasStatus: boolean, namespaced = true): ResourceInfo =>
  Object.freeze({ group, version: group === '' ? 'v1' : V1ALPHA1, kind, plural, namespaced, hasStatus });

/** Objects of the ironcore cluster. */
export const ironcore = Object.freeze({
  Network: r(IRONCORE_NETWORKING_GROUP, 'Network', 'networks', true),
  NetworkInterface: r(IRONCORE_NETWORKING_GROUP, 'NetworkInterface', 'networkinterfaces', true),
  VirtualIP: r(IRONCORE_NETWORKING_GROUP, 'VirtualIP', 'virtualips', true),
  LoadBalancer: r(IRONCORE_NETWORKING_GROUP, 'LoadBalancer', 'loadbalancers', true),
  LoadBalancerRouting: r(IRONCORE_NETWORKING_GROUP, 'LoadBalancerRouting', 'loadbalancerroutings', false),
  NATGateway: r(IRONCORE_NETWORKING_GROUP, 'NATGateway', 'natgateways', true),
  NetworkPolicy: r(IRONCORE_NETWORKING_GROUP, 'NetworkPolicy', 'networkpolicies', true),
  Prefix: r(IRONCORE_IPAM_GROUP, 'Prefix', 'prefixes', true),
});

/** Objects of the apinet cluster. */
export const apinet = Object.freeze({
  Network: r(APINET_GROUP, 'Network', 'networks', true),
  IP: r(APINET_GROUP, 'IP', 'ips', false),
  LoadBalancer: r(APINET_GROUP, 'LoadBalancer', 'loadbalancers', true),
  LoadBalancerRouting: r(APINET_GROUP, 'LoadBalancerRouting', 'loadbalancerroutings', false),
  NATGateway: r(APINET_GROUP, 'NATGateway', 'natgateways', true),
  NATGatewayAutoscaler: r(APINET_GROUP, 'NATGatewayAutoscaler', 'natgatewayautoscalers', true),
  NetworkInterface: r(APINET_GROUP, 'NetworkInterface', 'networkinterfaces', true),
  NetworkPolicy: r(APINET_GROUP, 'NetworkPolicy', 'networkpolicies', false),
  NetworkPolicyRule: r(APINET_GROUP, 'NetworkPolicyRule', 'networkpolicyrules', false),
});

/** Core Kubernetes kinds both clusters serve. */
export const core = Object.freeze({
  Namespace: r('', 'Namespace', 'namespaces', true, false),
  /** core/v1 Event: what `kubectl describe` lists for an object (shared/reconcile/events.ts). */
  Event: r('', 'Event', 'events', false),
});

/** The six ironcore kinds apinetlet reconciles, in a stable order. */
export const PRIMARY_KINDS = ['Network', 'LoadBalancer', 'NATGateway', 'NetworkPolicy', 'VirtualIP', 'NetworkInterface'] as const;
export type PrimaryKind = (typeof PRIMARY_KINDS)[number];

export function apiVersionOf(res: ResourceInfo): string {
  return res.group === '' ? res.version : `${res.group}/${res.version}`;
}

/** REST path of a collection or object; `sub` is a subresource such as `status`. */
export function resourcePath(res: ResourceInfo, namespace?: string, name?: string, sub?: string): string {
  const base = res.group === '' ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
  const ns = res.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const obj = name ? `/${encodeURIComponent(name)}` : '';
  const subPath = name && sub ? `/${sub}` : '';
  return `${base}${ns}/${res.plural}${obj}${subPath}`;
}
