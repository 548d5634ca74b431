/**
 * Which apinet NICs and LoadBalancers a NetworkPolicy reconcile lists (behavior.md 3.6,
 * apinet-api.md 4.1/4.2). The Go controller filters its informer cache; a serverless reconcile
 * pushes the policy's label selectors to the API server instead (`labelSelector=`), one LIST per
 * distinct selector. The network and readiness filter stay client-side (R-NP-07): there is no
 * field selector on `spec.networkRef.name` or `status.state`.
 *
 * The rule core (networkpolicy-rule.ts) matches every selector again on the union of the lists, so
 * the rule equals the one built from every object of `ANS`. An empty selector matches everything
 * and an invalid one must reach the core with every object (R-NP-06/08: it reports the selector
 * error against the same objects as before): either collapses the reads to one unfiltered LIST.
 * No I/O.
 */
import { labelSelectorProblems, labelSelectorToString, type SelectorLike } from '../../api/selector.ts';
import type { IroncoreNetworkPolicy } from '../../api/ironcore.ts';

/** `labelSelector=` values to LIST with: `[]` = no LIST, `['']` = one LIST of every object. */
export type ListSelectors = readonly string[];

export interface NetworkPolicyListSelectors {
  /** apinet NICs: the targets' selector (R-NP-07) and NetworkInterface object selectors (R-NP-05/07). */
  readonly networkInterfaces: ListSelectors;
  /** apinet LoadBalancers: LoadBalancer object selectors (R-NP-05). */
  readonly loadBalancers: ListSelectors;
}

/** The distinct server-side selectors the rule of `np` needs (see the module comment). */
export function networkPolicyListSelectors(np: IroncoreNetworkPolicy): NetworkPolicyListSelectors {
  const peers = [...(np.spec.ingress ?? []).flatMap((r) => r.from ?? []), ...(np.spec.egress ?? []).flatMap((r) => r.to ?? [])];
  const objectSelectors = (kind: string) => peers.flatMap((p) => (p.objectSelector?.kind === kind ? [p.objectSelector] : []));
  return {
    networkInterfaces: distinctSelectors([np.spec.networkInterfaceSelector, ...objectSelectors('NetworkInterface')]),
    loadBalancers: distinctSelectors(objectSelectors('LoadBalancer')),
  };
}

/** Sorted distinct query strings; one that selects everything (or cannot be expressed) wins alone. A nil selector selects nothing. */
export function distinctSelectors(selectors: readonly (SelectorLike | null | undefined)[]): ListSelectors {
  const out = new Set<string>();
  for (const selector of selectors) {
    if (selector === null || selector === undefined) continue;
    if (labelSelectorProblems(selector).length > 0) return [''];
    const text = labelSelectorToString(selector);
    if (text === '') return [''];
    out.add(text);
  }
  return [...out].sort();
}
