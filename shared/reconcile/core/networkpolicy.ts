/**
 * NetworkPolicy reconcile core (behavior.md 2.6, 3.6): from the ironcore NetworkPolicy, its
 * ironcore and apinet Network and the apinet NICs / LoadBalancers of `ANS` to the apinet
 * NetworkPolicy and NetworkPolicyRule apply bodies. No I/O.
 *
 * Shell order (R-NP-04, R-NP-06):
 * 1. lifecycle (common.ts): `delete` → {@link networkPolicyDeletion}; R-GEN-02 `ignore`.
 * 2. {@link planNetworkPolicy}: `none` → done (no error); otherwise apply `apinetNetworkPolicy`
 *    with field manager `ironcore.dev/apinetlet` (force).
 * 3. `rule === 'apply'`: {@link desiredApinetNetworkPolicyRule} with the applied policy (its UID
 *    is the owner reference) and apply it with field manager
 *    `networkpolicies.networking.ironcore.dev` (force). It throws R-NP-06's unsupported-kind
 *    error only after the policy was applied, as the Go reconciler does.
 *    `rule === 'wait-for-apinet-network'`: done; the apinet Network's creation re-triggers the
 *    policy (R-NP-09, {@link networkPoliciesTriggeredBy}).
 */
import { apinet, apiVersionOf } from '../../api/resources.ts';
import { finalizerOf, originAnnotations, originLabels } from '../../api/origin.ts';
import { apinetControllerReference, type CoreSettings, type ControllerOwnerReference } from './common.ts';
import { ReconcileError, objectKey } from './errors.ts';
import { ruleEntries, selectedTargets, type ApinetRuleBody, type ApinetTargetBody } from './networkpolicy-rule.ts';
import {
  translateLabelSelector,
  translatePeers,
  translatePolicyTypes,
  translatePorts,
  type ApinetLabelSelectorBody,
  type ApinetNetworkPolicyPeerBody,
  type ApinetNetworkPolicyPortBody,
} from './networkpolicy-translate.ts';
import type { ApinetLoadBalancer, ApinetNetwork, ApinetNetworkInterface, ApinetNetworkPolicy } from '../../api/apinet.ts';
import type { IroncoreNetwork, IroncoreNetworkPolicy } from '../../api/ironcore.ts';

/** Field managers of the two applies (R-GEN-07, R-NP-02). */
export { APINETLET_FIELD_MANAGER, NETWORK_POLICY_RULE_FIELD_MANAGER } from '../../api/origin.ts';

export const NETWORK_POLICY_FINALIZER = finalizerOf('NetworkPolicy');

/** R-NP-01: ironcore has no priority field; every apinet policy gets this one. */
export const NETWORK_POLICY_PRIORITY = 1000;

// ---- what the core reads -------------------------------------------------------------------

export interface NetworkPolicyObserved {
  readonly networkPolicy: IroncoreNetworkPolicy;
  /** ironcore Network `<np namespace>/<spec.networkRef.name>`; `null` when not found (R-NP-04). */
  readonly network: IroncoreNetwork | null;
  /** apinet Network `ANS/<network uid>`; `null` when not found yet (R-NP-04). */
  readonly apinetNetwork: ApinetNetwork | null;
  /**
   * apinet NetworkInterfaces in `ANS` (targets and NIC object selectors, R-NP-07): at least every
   * one a selector of the policy matches (networkpolicy-reads.ts); any superset gives the same rule.
   */
  readonly apinetNetworkInterfaces: readonly ApinetNetworkInterface[];
  /** apinet LoadBalancers in `ANS` (LoadBalancer object selectors, R-NP-05): at least those matched. */
  readonly apinetLoadBalancers: readonly ApinetLoadBalancer[];
  readonly settings: CoreSettings;
}

/** The observation plus the apinet NetworkPolicy as the apply returned it (its UID is the rule's owner). */
export interface NetworkPolicyRuleObserved extends NetworkPolicyObserved {
  readonly appliedApinetNetworkPolicy: Pick<ApinetNetworkPolicy, 'metadata'> & { readonly spec?: { readonly priority?: number | null } };
}

// ---- what the core writes ------------------------------------------------------------------

interface OriginMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ApinetNetworkPolicyIngressBody {
  from?: ApinetNetworkPolicyPeerBody[];
  ports?: ApinetNetworkPolicyPortBody[];
}

export interface ApinetNetworkPolicyEgressBody {
  to?: ApinetNetworkPolicyPeerBody[];
  ports?: ApinetNetworkPolicyPortBody[];
}

/** Server-side-apply body of the apinet NetworkPolicy (behavior.md 2.6). */
export interface ApinetNetworkPolicyApply {
  apiVersion: string;
  kind: 'NetworkPolicy';
  metadata: OriginMeta;
  spec: {
    networkRef: { name: string };
    networkInterfaceSelector: ApinetLabelSelectorBody;
    priority: number;
    ingress?: ApinetNetworkPolicyIngressBody[];
    egress?: ApinetNetworkPolicyEgressBody[];
    policyTypes: string[];
  };
}

/** Server-side-apply body of the apinet NetworkPolicyRule (behavior.md 2.6; top-level fields, no spec). */
export interface ApinetNetworkPolicyRuleApply {
  apiVersion: string;
  kind: 'NetworkPolicyRule';
  metadata: OriginMeta & { ownerReferences: [ControllerOwnerReference] };
  networkRef: { name: string; uid: string };
  targets?: ApinetTargetBody[];
  priority: number;
  ingressRule?: ApinetRuleBody[];
  egressRule?: ApinetRuleBody[];
}

export type NetworkPolicyPlan =
  /** R-NP-04: the ironcore Network does not exist — nothing is applied, no error. */
  | { readonly action: 'none'; readonly reason: string }
  | {
      readonly action: 'apply';
      readonly apinetNetworkPolicy: ApinetNetworkPolicyApply;
      /**
       * `apply`: follow with {@link desiredApinetNetworkPolicyRule}. `wait-for-apinet-network`
       * (R-NP-04 [Go quirk] decision): the apinet Network is missing, so the rule, which needs
       * its UID, is skipped until the Network appears.
       */
      readonly rule: 'apply' | 'wait-for-apinet-network';
    };

// ---- decisions -----------------------------------------------------------------------------

/** R-NP-04, R-NP-06 (policy types): what to apply for a live policy that carries the finalizer. */
export function planNetworkPolicy(observed: NetworkPolicyObserved): NetworkPolicyPlan {
  const np = observed.networkPolicy;
  if (!observed.network) {
    return { action: 'none', reason: `ironcore Network ${np.metadata.namespace ?? ''}/${np.spec.networkRef.name} does not exist` };
  }
  const apinetNetworkPolicy = desiredApinetNetworkPolicy(observed);
  return { action: 'apply', apinetNetworkPolicy, rule: observed.apinetNetwork ? 'apply' : 'wait-for-apinet-network' };
}

/**
 * R-NP-01, R-NP-08, R-NP-10, behavior.md 2.6: the apinet NetworkPolicy `ANS/<np.uid>`.
 * Throws R-NP-06's policy-type error before anything is applied.
 */
export function desiredApinetNetworkPolicy(observed: NetworkPolicyObserved): ApinetNetworkPolicyApply {
  const np = observed.networkPolicy;
  const key = objectKey(np.metadata);
  const network = observed.network;
  if (!network?.metadata.uid) {
    throw new ReconcileError(key, 'desired', `ironcore Network ${np.metadata.namespace ?? ''}/${np.spec.networkRef.name} is not known; read it first (R-NP-04 skips the policy then)`);
  }
  const policyTypes = translatePolicyTypes(key, np.spec.policyTypes ?? []);
  const ingress = (np.spec.ingress ?? []).map((rule): ApinetNetworkPolicyIngressBody => {
    const body: ApinetNetworkPolicyIngressBody = {};
    const from = translatePeers(rule.from);
    if (from) body.from = from;
    const ports = translatePorts(rule.ports);
    if (ports) body.ports = ports;
    return body;
  });
  const egress = (np.spec.egress ?? []).map((rule): ApinetNetworkPolicyEgressBody => {
    const body: ApinetNetworkPolicyEgressBody = {};
    const to = translatePeers(rule.to);
    if (to) body.to = to;
    const ports = translatePorts(rule.ports);
    if (ports) body.ports = ports;
    return body;
  });

  const spec: ApinetNetworkPolicyApply['spec'] = {
    networkRef: { name: network.metadata.uid },
    networkInterfaceSelector: translateLabelSelector(np.spec.networkInterfaceSelector),
    priority: NETWORK_POLICY_PRIORITY,
    policyTypes,
  };
  if (ingress.length > 0) spec.ingress = ingress;
  if (egress.length > 0) spec.egress = egress;
  return {
    apiVersion: apiVersionOf(apinet.NetworkPolicy),
    kind: 'NetworkPolicy',
    metadata: originMeta(observed),
    spec,
  };
}

/**
 * R-NP-01, R-NP-02, R-NP-05, R-NP-07, R-NP-10, behavior.md 2.6: the NetworkPolicyRule
 * `ANS/<np.uid>`. Throws R-NP-06's unsupported-kind error (the policy is applied by then).
 */
export function desiredApinetNetworkPolicyRule(observed: NetworkPolicyRuleObserved): ApinetNetworkPolicyRuleApply {
  const np = observed.networkPolicy;
  const key = objectKey(np.metadata);
  const apinetNetwork = observed.apinetNetwork;
  if (!apinetNetwork?.metadata.name || !apinetNetwork.metadata.uid) {
    throw new ReconcileError(key, 'desired', 'the apinet Network is not known yet; the rule waits for it (R-NP-04)');
  }
  const applied = observed.appliedApinetNetworkPolicy;
  if (!applied.metadata.name || !applied.metadata.uid) {
    throw new ReconcileError(key, 'desired', 'the applied apinet NetworkPolicy has no name/uid; pass the object the apply returned');
  }
  const scope = {
    key,
    apinetNamespace: observed.settings.apinetNamespace,
    apinetNetworkName: apinetNetwork.metadata.name,
    networkInterfaces: observed.apinetNetworkInterfaces,
    loadBalancers: observed.apinetLoadBalancers,
  };

  const ingressRule = (np.spec.ingress ?? []).map((rule, i) => ruleEntries(scope, rule.from, rule.ports, `spec.ingress[${i}].from`));
  const egressRule = (np.spec.egress ?? []).map((rule, i) => ruleEntries(scope, rule.to, rule.ports, `spec.egress[${i}].to`));
  const targets = selectedTargets(scope, np.spec.networkInterfaceSelector, 'spec.networkInterfaceSelector');

  const meta = originMeta(observed);
  const body: ApinetNetworkPolicyRuleApply = {
    apiVersion: apiVersionOf(apinet.NetworkPolicyRule),
    kind: 'NetworkPolicyRule',
    // R-NP-02: named like the apinet policy, owned by it alone.
    metadata: { ...meta, name: applied.metadata.name, ownerReferences: [apinetControllerReference('NetworkPolicy', { name: applied.metadata.name, uid: applied.metadata.uid })] },
    networkRef: { name: apinetNetwork.metadata.name, uid: apinetNetwork.metadata.uid },
    priority: applied.spec?.priority ?? NETWORK_POLICY_PRIORITY,
  };
  // Empty lists are left out: SSA then removes what an earlier apply set (apinet-api.md 12.17).
  if (targets.length > 0) body.targets = targets;
  if (ingressRule.length > 0) body.ingressRule = ingressRule;
  if (egressRule.length > 0) body.egressRule = egressRule;
  return body;
}

export interface NetworkPolicyDeletion {
  /** apinet NetworkPolicy to delete (not-found is fine); the rule goes by owner-reference GC. */
  readonly deleteApinetNetworkPolicy: { readonly namespace: string; readonly name: string } | undefined;
  readonly removeFinalizer: boolean;
}

/**
 * R-NP-03: delete the apinet policy and drop the finalizer in the same pass, without waiting.
 * R-GEN-02: without our finalizer nothing is touched.
 */
export function networkPolicyDeletion(networkPolicy: IroncoreNetworkPolicy, settings: CoreSettings): NetworkPolicyDeletion {
  if (!(networkPolicy.metadata.finalizers ?? []).includes(NETWORK_POLICY_FINALIZER)) {
    return { deleteApinetNetworkPolicy: undefined, removeFinalizer: false };
  }
  const uid = networkPolicy.metadata.uid;
  if (!uid) throw new ReconcileError(objectKey(networkPolicy.metadata), 'delete', 'the NetworkPolicy has no metadata.uid; pass the object as read from the cluster');
  return { deleteApinetNetworkPolicy: { namespace: settings.apinetNamespace, name: uid }, removeFinalizer: true };
}

// ---- helpers -------------------------------------------------------------------------------

function originMeta(observed: NetworkPolicyObserved): OriginMeta {
  const np = observed.networkPolicy;
  const uid = np.metadata.uid;
  if (!uid) throw new ReconcileError(objectKey(np.metadata), 'desired', 'the NetworkPolicy has no metadata.uid; pass the object as read from the cluster');
  return {
    name: uid,
    namespace: observed.settings.apinetNamespace,
    labels: originLabels('NetworkPolicy', np),
    annotations: originAnnotations('NetworkPolicy', np),
  };
}
