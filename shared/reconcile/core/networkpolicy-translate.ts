/**
 * Field-by-field translation of an ironcore NetworkPolicy spec into apinet shapes
 * (behavior.md 2.6, R-NP-06, R-NP-08, R-NP-10). Empty lists and unset optionals are left out
 * of the bodies, as Go's apply configurations leave them out.
 */
import { UntranslatableSpecError } from './errors.ts';
import type { IroncoreNetworkPolicyPeer, IroncoreNetworkPolicyPort } from '../../api/ironcore.ts';
import type { LabelSelector, LabelSelectorRequirement } from '../../api/meta.ts';

export interface ApinetLabelSelectorRequirementBody {
  key: string;
  operator: string;
  values?: string[];
}

export interface ApinetLabelSelectorBody {
  matchLabels?: Record<string, string>;
  matchExpressions?: ApinetLabelSelectorRequirementBody[];
}

export interface ApinetObjectSelectorBody extends ApinetLabelSelectorBody {
  kind: string;
}

export interface ApinetIPBlockBody {
  cidr: string;
  except?: string[];
}

export interface ApinetNetworkPolicyPeerBody {
  objectSelector?: ApinetObjectSelectorBody;
  ipBlock?: ApinetIPBlockBody;
}

export interface ApinetNetworkPolicyPortBody {
  protocol?: string;
  port?: number;
  endPort?: number;
}

/** Policy types apinet understands; anything else is R-NP-06's error. */
export const POLICY_TYPES = ['Ingress', 'Egress'] as const;

/** R-NP-06: copies the policy types in order; an unknown value fails before anything is applied. */
export function translatePolicyTypes(key: string, policyTypes: readonly string[]): string[] {
  return policyTypes.map((type, i) => {
    if (!(POLICY_TYPES as readonly string[]).includes(type)) {
      throw new UntranslatableSpecError(key, `spec.policyTypes[${i}]`, `invalid policy type ${JSON.stringify(type)}; use "Ingress" or "Egress"`);
    }
    return type;
  });
}

/** R-NP-08: matchLabels and matchExpressions (key, operator, values) copied verbatim. */
export function translateLabelSelector(selector: LabelSelector | null | undefined): ApinetLabelSelectorBody {
  const body: ApinetLabelSelectorBody = {};
  const labels = selector?.matchLabels ?? {};
  if (Object.keys(labels).length > 0) body.matchLabels = { ...labels };
  const expressions = (selector?.matchExpressions ?? []).map(translateRequirement);
  if (expressions.length > 0) body.matchExpressions = expressions;
  return body;
}

function translateRequirement(req: LabelSelectorRequirement): ApinetLabelSelectorRequirementBody {
  const body: ApinetLabelSelectorRequirementBody = { key: req.key, operator: req.operator };
  if (req.values && req.values.length > 0) body.values = [...req.values];
  return body;
}

/** behavior.md 2.6: a peer keeps its object selector and/or IP block; an empty peer stays `{}` so indexes line up. */
export function translatePeers(peers: readonly IroncoreNetworkPolicyPeer[] | null | undefined): ApinetNetworkPolicyPeerBody[] | undefined {
  if (!peers || peers.length === 0) return undefined;
  return peers.map((peer) => {
    const body: ApinetNetworkPolicyPeerBody = {};
    if (peer.objectSelector) body.objectSelector = { kind: peer.objectSelector.kind, ...translateLabelSelector(peer.objectSelector) };
    if (peer.ipBlock) body.ipBlock = translateIPBlock(peer.ipBlock);
    return body;
  });
}

export function translateIPBlock(block: { readonly cidr: string | null; readonly except?: readonly string[] | null }): ApinetIPBlockBody {
  const body = { cidr: block.cidr } as ApinetIPBlockBody;
  if (block.except && block.except.length > 0) body.except = [...block.except];
  return body;
}

/** R-NP-10: protocol and endPort passed through when set; port 0 (= all ports) is left out. */
export function translatePorts(ports: readonly IroncoreNetworkPolicyPort[] | null | undefined): ApinetNetworkPolicyPortBody[] | undefined {
  if (!ports || ports.length === 0) return undefined;
  return ports.map((port) => {
    const body: ApinetNetworkPolicyPortBody = {};
    if (port.protocol) body.protocol = port.protocol;
    if (port.port) body.port = port.port;
    if (port.endPort !== undefined && port.endPort !== null) body.endPort = port.endPort;
    return body;
  });
}
