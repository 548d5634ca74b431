import { expect } from 'vitest';
import type { ApiCallCounts } from '../harness.ts';

/**
 * The apinet writes a no-op reconcile may send (issue 12: none; the applies are skipped when the
 * objects already carry them). Known gap: on the real apinet server the check does not yet
 * recognise LoadBalancers, NATGateways and NetworkPolicies as unchanged, so there their applies
 * (at most `realApplies`, as before issue 12) still go out, and nothing else.
 */
export function expectNoopApinetWrites(apinet: ApiCallCounts, realApplies: number): void {
  if (process.env.APINETLET_SERVERS === 'real') {
    expect(apinet.applies).toBeLessThanOrEqual(realApplies);
    expect(apinet.writes).toBe(apinet.applies);
  } else {
    expect(apinet.applies).toBe(0);
    expect(apinet.writes).toBe(0);
  }
}
