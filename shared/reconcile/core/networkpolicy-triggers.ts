/**
 * R-NP-09: which ironcore NetworkPolicies an apinet NetworkInterface or Network change
 * re-triggers, so rule targets and object IPs follow NIC readiness and labels. The Go mappers
 * enqueue the apinet policy key (a no-op) and stop at the first empty selector [Go quirk];
 * here every apinet policy is mapped to its origin and empty selectors are skipped.
 */
import { hasCompleteOrigin, originKeysOf } from '../../api/origin.ts';
import { matchesLabelSelector, type SelectorLike } from '../../api/selector.ts';
import type { ApinetNetwork, ApinetNetworkInterface, ApinetNetworkPolicy } from '../../api/apinet.ts';

export type NetworkPolicyTriggerChange =
  /** An apinet NIC was created/updated/deleted; `oldObject` is the state before an update. */
  | { readonly kind: 'NetworkInterface'; readonly object: ApinetNetworkInterface; readonly oldObject?: ApinetNetworkInterface | null }
  | { readonly kind: 'Network'; readonly object: ApinetNetwork };

/** An ironcore NetworkPolicy key to enqueue. */
export interface NetworkPolicyKey {
  readonly namespace: string;
  readonly name: string;
}

/**
 * The ironcore NetworkPolicies to reconcile after `change`, given the apinet NetworkPolicies of
 * the changed object's namespace. Policies without complete origin metadata are skipped.
 */
export function networkPoliciesTriggeredBy(change: NetworkPolicyTriggerChange, apinetPolicies: readonly ApinetNetworkPolicy[]): NetworkPolicyKey[] {
  const namespace = change.object.metadata.namespace;
  const networkName = change.kind === 'Network' ? change.object.metadata.name : change.object.spec.networkRef?.name;
  if (!networkName) return [];
  const ofNetwork = apinetPolicies.filter(
    (p) => (namespace === undefined || p.metadata.namespace === undefined || p.metadata.namespace === namespace) && p.spec.networkRef?.name === networkName,
  );

  let triggered = ofNetwork;
  if (change.kind === 'NetworkInterface') {
    const nics = [change.object, ...(change.oldObject ? [change.oldObject] : [])];
    // Only a NIC that is or was Ready can change a rule (the Go watch predicate).
    if (!nics.some((nic) => nic.status?.state === 'Ready')) return [];
    triggered = ofNetwork.filter((policy) => selectsAny(policy, nics));
  }
  return uniqueOrigins(triggered);
}

/** Whether the policy's NIC selector, or one of its NetworkInterface object selectors, matches a NIC. */
function selectsAny(policy: ApinetNetworkPolicy, nics: readonly ApinetNetworkInterface[]): boolean {
  const peers = [...(policy.spec.ingress ?? []).flatMap((r) => r.from ?? []), ...(policy.spec.egress ?? []).flatMap((r) => r.to ?? [])];
  const selectors: SelectorLike[] = [
    policy.spec.networkInterfaceSelector,
    ...peers.flatMap((peer) => (peer.objectSelector?.kind === 'NetworkInterface' ? [peer.objectSelector] : [])),
  ];
  return selectors.some((selector) => !isEmptySelector(selector) && nics.some((nic) => safeMatch(selector, nic.metadata.labels)));
}

function isEmptySelector(selector: SelectorLike | null | undefined): boolean {
  return Object.keys(selector?.matchLabels ?? {}).length === 0 && (selector?.matchExpressions ?? []).length === 0;
}

/** An invalid selector triggers nothing (Go logs it and moves on to the next policy). */
function safeMatch(selector: SelectorLike, labels: Record<string, string> | null | undefined): boolean {
  try {
    return matchesLabelSelector(selector, labels);
  } catch {
    return false;
  }
}

function uniqueOrigins(policies: readonly ApinetNetworkPolicy[]): NetworkPolicyKey[] {
  const keys = originKeysOf('NetworkPolicy');
  const seen = new Set<string>();
  const result: NetworkPolicyKey[] = [];
  for (const policy of policies) {
    if (!hasCompleteOrigin(policy, 'NetworkPolicy')) continue;
    const namespace = policy.metadata.labels?.[keys.namespaceLabel] ?? '';
    const name = policy.metadata.annotations?.[keys.nameAnnotation] ?? '';
    if (!namespace || !name || seen.has(`${namespace}/${name}`)) continue;
    seen.add(`${namespace}/${name}`);
    result.push({ namespace, name });
  }
  return result;
}
