/**
 * LoadBalancer reconcile core (behavior.md 2.5 and 3.3): from the observed ironcore
 * LoadBalancer, its Network, its ephemeral ipam Prefixes and its LoadBalancerRouting to the
 * apinet LoadBalancer and LoadBalancerRouting apply bodies and the ironcore status patch.
 *
 * Shell order: read the LB → {@link loadBalancerPrefixNames} tells which Prefixes to read →
 * {@link loadBalancerPlan} (skip, or apply the LB) → apply
 * {@link desiredApinetLoadBalancerRouting} with the applied LB's uid →
 * {@link loadBalancerStatusPatch} on the applied LB.
 */
import { internalLoadBalancerIPName, loadBalancerIPIPAMPrefixName, publicLoadBalancerIPName } from '../../api/names.ts';
import { finalizerOf } from '../../api/origin.ts';
import { tryParseNetworkInterfaceProviderId } from '../../api/provider-id.ts';
import type { IroncoreLoadBalancer, IroncoreLoadBalancerRouting, IroncoreNetwork, IroncorePrefix } from '../../api/ironcore.ts';
import { ipFamilyOf, prefixBaseAddress } from '../../api/ip.ts';
import { apinet, apiVersionOf } from '../../api/resources.ts';
import { apinetControllerReference, ipsStatusPatch, originMetadata, type ControllerOwnerReference, type OwnedProjectionMeta, type CoreSettings } from './common.ts';
import { ReconcileError, UnknownLoadBalancerTypeError, objectKey } from './errors.ts';

export const LOAD_BALANCER_FINALIZER = finalizerOf('LoadBalancer');
/** behavior.md 2.5: instances of one LB spread over zones. */
export const ZONE_TOPOLOGY_KEY = 'topology.core.apinet.ironcore.dev/zone';

export interface LoadBalancerSettings extends CoreSettings {
  /** `APINETLET_NODE_AFFINITY_AWARE` (R-LB-07). */
  readonly nodeAffinityAware: boolean;
}

export interface LoadBalancerObserved {
  readonly loadBalancer: IroncoreLoadBalancer;
  /** The ironcore Network `<lb ns>/<spec.networkRef.name>`; null = not found (R-LB-03). */
  readonly network: IroncoreNetwork | null;
  /** ipam Prefixes in the LB namespace by name, for {@link loadBalancerPrefixNames}; absent = not found. */
  readonly prefixes: Readonly<Record<string, IroncorePrefix | undefined>>;
  /** The ironcore LoadBalancerRouting with the LB's namespace/name; null = none (R-LB-06). */
  readonly routing: IroncoreLoadBalancerRouting | null;
  readonly settings: LoadBalancerSettings;
}

export interface ApinetLoadBalancerIPApply {
  name: string;
  ipFamily: string;
  ip?: string;
}

export interface ApinetLoadBalancerPortApply {
  protocol?: string;
  port: number;
  endPort?: number;
}

export interface ApinetDestinationApply {
  ip: string;
  targetRef?: { uid: string; name: string; nodeRef: { name: string } };
}

export interface NodeAffinityApply {
  requiredDuringSchedulingIgnoredDuringExecution: {
    nodeSelectorTerms: Array<{ matchFields: Array<{ key: 'metadata.name'; operator: 'In'; values: string[] }> }>;
  };
}

export interface ApinetLoadBalancerApply {
  apiVersion: string;
  kind: 'LoadBalancer';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    type: 'Public' | 'Internal';
    networkRef: { name: string };
    ips: ApinetLoadBalancerIPApply[];
    ports: ApinetLoadBalancerPortApply[];
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      spec: {
        affinity: {
          nodeAffinity?: NodeAffinityApply;
          instanceAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: Array<{ labelSelector: { matchLabels: Record<string, string> }; topologyKey: string }>;
          };
        };
      };
    };
  };
}

export interface ApinetLoadBalancerRoutingApply {
  apiVersion: string;
  kind: 'LoadBalancerRouting';
  metadata: OwnedProjectionMeta;
  destinations: ApinetDestinationApply[];
}

/** What to do this pass: R-LB-03 makes "network missing" a quiet skip, not an error. */
export type LoadBalancerPlan =
  | { readonly action: 'skip'; readonly reason: 'network-missing'; readonly message: string }
  | { readonly action: 'apply'; readonly loadBalancer: ApinetLoadBalancerApply };

/** Everything besides the LB the shell reads from the ironcore cluster (all in the LB namespace). */
export function loadBalancerReads(lb: IroncoreLoadBalancer): { namespace: string; network: string; routing: string; prefixes: string[] } {
  return { namespace: lb.metadata.namespace ?? '', network: lb.spec.networkRef.name, routing: lb.metadata.name ?? '', prefixes: loadBalancerPrefixNames(lb) };
}

/** ipam Prefixes the shell must read for an Internal LB's ephemeral IPs (R-LB-04). */
export function loadBalancerPrefixNames(lb: IroncoreLoadBalancer): string[] {
  // Public LBs ignore spec.ips (R-LB-05); a literal value wins over an ephemeral source.
  if (lb.spec.type !== 'Internal') return [];
  return (lb.spec.ips ?? []).flatMap((src, i) => (!src.value && src.ephemeral ? [loadBalancerIPIPAMPrefixName(lb.metadata.name ?? '', i)] : []));
}

/** R-LB-09: only Public and Internal translate; anything else is a typed, non-retryable error. */
function loadBalancerType(lb: IroncoreLoadBalancer): 'Public' | 'Internal' {
  const type: string = lb.spec.type;
  if (type === 'Public' || type === 'Internal') return type;
  throw new UnknownLoadBalancerTypeError(objectKey(lb.metadata), type);
}

/** R-LB-04: an ephemeral entry counts only if its Prefix is controlled by this LB and Allocated. */
function ephemeralIp(lb: IroncoreLoadBalancer, index: number, prefixes: LoadBalancerObserved['prefixes']): ApinetLoadBalancerIPApply | undefined {
  const name = loadBalancerIPIPAMPrefixName(lb.metadata.name ?? '', index);
  const prefix = Object.hasOwn(prefixes, name) ? prefixes[name] : undefined;
  if (!prefix) return undefined;
  const controller = prefix.metadata.ownerReferences?.find((ref) => ref.controller === true);
  if (!controller || controller.uid !== lb.metadata.uid) return undefined;
  if (prefix.status?.phase !== 'Allocated' || !prefix.spec.prefix) return undefined;
  return { name: internalLoadBalancerIPName(index), ipFamily: prefix.spec.ipFamily ?? ipFamilyOf(prefix.spec.prefix), ip: prefixBaseAddress(prefix.spec.prefix) };
}

/** apinet `spec.ips`: R-LB-05 for Public (server allocates), R-LB-04 for Internal (index-named, gaps kept). */
export function apinetLoadBalancerIps(observed: Pick<LoadBalancerObserved, 'loadBalancer' | 'prefixes'>): ApinetLoadBalancerIPApply[] {
  const lb = observed.loadBalancer;
  if (loadBalancerType(lb) === 'Public') {
    return (lb.spec.ipFamilies ?? []).map((family) => ({ name: publicLoadBalancerIPName(family), ipFamily: family }));
  }
  return (lb.spec.ips ?? []).flatMap((src, i): ApinetLoadBalancerIPApply[] => {
    if (src.value) return [{ name: internalLoadBalancerIPName(i), ipFamily: ipFamilyOf(src.value), ip: src.value }];
    if (src.ephemeral) return [ephemeralIp(lb, i, observed.prefixes)].filter((x) => x !== undefined);
    return [];
  });
}

/** R-LB-02: ports carried over as given; unset protocol/endPort stay unset. */
export function apinetLoadBalancerPorts(lb: IroncoreLoadBalancer): ApinetLoadBalancerPortApply[] {
  return (lb.spec.ports ?? []).map((p) => ({
    ...(p.protocol ? { protocol: p.protocol } : {}),
    port: p.port,
    ...(p.endPort !== null && p.endPort !== undefined ? { endPort: p.endPort } : {}),
  }));
}

/**
 * R-LB-06: routing destinations; a target whose provider ID does not parse (R-PROV-01) keeps its
 * ip but loses its targetRef.
 */
export function apinetLoadBalancerDestinations(routing: IroncoreLoadBalancerRouting | null): ApinetDestinationApply[] {
  return (routing?.destinations ?? []).map((d) => {
    const parsed = d.targetRef ? tryParseNetworkInterfaceProviderId(d.targetRef.providerID) : undefined;
    return parsed ? { ip: d.ip, targetRef: { uid: parsed.uid, name: parsed.name, nodeRef: { name: parsed.node } } } : { ip: d.ip };
  });
}

/**
 * R-LB-07: one `metadata.name In [node]` term per distinct destination node, sorted; none
 * without destinations or when not node-affinity aware. [Go quirk] destinations without a
 * targetRef are ignored instead of crashing.
 */
export function loadBalancerNodeAffinity(destinations: readonly ApinetDestinationApply[], nodeAffinityAware: boolean): NodeAffinityApply | undefined {
  if (!nodeAffinityAware) return undefined;
  const nodes = [...new Set(destinations.flatMap((d) => (d.targetRef?.nodeRef.name ? [d.targetRef.nodeRef.name] : [])))].sort();
  if (nodes.length === 0) return undefined;
  return {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: nodes.map((node) => ({ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] })),
    },
  };
}

/** The full apply body of the apinet LoadBalancer `ANS/<lb uid>` (behavior.md 2.5) for an existing Network. */
export function desiredApinetLoadBalancer(observed: LoadBalancerObserved & { readonly network: IroncoreNetwork }): ApinetLoadBalancerApply {
  const lb = observed.loadBalancer;
  const type = loadBalancerType(lb);
  const networkUid = observed.network.metadata.uid;
  if (!networkUid) throw missingUid(objectKey(lb.metadata), `ironcore Network ${objectKey(observed.network.metadata)}`);
  const origin = originMetadata('LoadBalancer', lb.metadata);
  const nodeAffinity = loadBalancerNodeAffinity(apinetLoadBalancerDestinations(observed.routing), observed.settings.nodeAffinityAware);
  return {
    apiVersion: apiVersionOf(apinet.LoadBalancer),
    kind: 'LoadBalancer',
    metadata: { name: origin.uid, namespace: observed.settings.apinetNamespace, labels: origin.labels, annotations: origin.annotations },
    spec: {
      type,
      networkRef: { name: networkUid },
      ips: apinetLoadBalancerIps(observed),
      ports: apinetLoadBalancerPorts(lb),
      selector: { matchLabels: { ...origin.labels } },
      template: {
        metadata: { labels: { ...origin.labels }, annotations: { ...origin.annotations } },
        spec: {
          affinity: {
            ...(nodeAffinity ? { nodeAffinity } : {}),
            instanceAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { ...origin.labels } }, topologyKey: ZONE_TOPOLOGY_KEY }],
            },
          },
        },
      },
    },
  };
}

/** R-LB-03 and R-LB-09 as data: skip quietly without a Network; an unknown type throws before anything is applied. */
export function loadBalancerPlan(observed: LoadBalancerObserved): LoadBalancerPlan {
  loadBalancerType(observed.loadBalancer);
  const network = observed.network;
  if (!network) {
    const key = objectKey(observed.loadBalancer.metadata);
    return { action: 'skip', reason: 'network-missing', message: `${key}: ironcore Network ${observed.loadBalancer.metadata.namespace}/${observed.loadBalancer.spec.networkRef.name} not found; nothing applied` };
  }
  return { action: 'apply', loadBalancer: desiredApinetLoadBalancer({ ...observed, network }) };
}

/** R-LB-06: the routing `ANS/<lb uid>`, always applied, owned by the applied apinet LoadBalancer. */
export function desiredApinetLoadBalancerRouting(
  observed: Pick<LoadBalancerObserved, 'loadBalancer' | 'routing' | 'settings'>,
  appliedLoadBalancer: { readonly metadata: { readonly name?: string; readonly uid?: string } },
): ApinetLoadBalancerRoutingApply {
  const origin = originMetadata('LoadBalancer', observed.loadBalancer.metadata);
  const { name, uid } = appliedLoadBalancer.metadata;
  if (!name || !uid) throw missingUid(objectKey(observed.loadBalancer.metadata), `apinet LoadBalancer ${observed.settings.apinetNamespace}/${name ?? origin.uid}`);
  return {
    apiVersion: apiVersionOf(apinet.LoadBalancerRouting),
    kind: 'LoadBalancerRouting',
    metadata: {
      name: origin.uid,
      namespace: observed.settings.apinetNamespace,
      labels: origin.labels,
      annotations: origin.annotations,
      ownerReferences: [apinetControllerReference('LoadBalancer', { name, uid })],
    },
    destinations: apinetLoadBalancerDestinations(observed.routing),
  };
}

/** R-LB-01: ironcore `status.ips` = the applied apinet `spec.ips[].ip` in order; null when unchanged. */
export function loadBalancerStatusPatch(
  lb: IroncoreLoadBalancer,
  applied: { readonly spec: { readonly ips?: ReadonlyArray<{ readonly ip?: string | null }> | null } },
): { status: { ips: string[] | null } } | null {
  return ipsStatusPatch(lb.status?.ips, applied.spec.ips);
}


/** A referenced object lacks the uid the projection needs (it was not read from a cluster). */
function missingUid(key: string, what: string): ReconcileError {
  return new ReconcileError(key, 'desired', `${what} has no metadata.uid; pass the object as read from the cluster`, { retryable: false });
}
