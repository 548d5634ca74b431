/**
 * Differences between the Go apinetlet and this project that behavior.md fixes on purpose. Each
 * entry names its rule and matches only the shape of difference that rule produces; anything else
 * is a real difference and fails the step.
 */
import type { Op } from './ops.ts';
import type { Difference, Snapshot } from './snapshot.ts';

export interface Allowance {
  rule: string;
  why: string;
  matches(d: Difference, ctx: AllowContext): boolean;
}

export interface AllowContext {
  history: Op[];
  go: Snapshot;
  ts: Snapshot;
}

export const ALLOWANCES: Allowance[] = [];

export function allowed(d: Difference, ctx: AllowContext): Allowance | undefined {
  return ALLOWANCES.find((a) => a.matches(d, ctx));
}
