/**
 * Retry delay of a failed or "not yet" key (ARCHITECTURE.md 2): FIFO queues have no per-message
 * delay, so the consumer hides the message with ChangeMessageVisibility for
 * min(base · 2^(receiveCount-1), cap) seconds, spread by ±jitter so that keys failing together
 * do not come back together.
 */
export interface BackoffPolicy {
  /** Seconds for the first retry; default 1. */
  baseSeconds: number;
  /** Upper bound before jitter; default 300. */
  capSeconds: number;
  /** Relative spread in [0, 1): the delay is multiplied by a factor in [1-jitter, 1+jitter]; default 0.2. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ baseSeconds: 1, capSeconds: 300, jitter: 0.2 });

/** SQS refuses visibility timeouts above 12 hours. */
export const MAX_VISIBILITY_SECONDS = 43_200;

/** Delay before jitter; receiveCount < 1 (missing attribute) counts as the first receive. */
export function backoffBaseSeconds(receiveCount: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const n = Number.isFinite(receiveCount) && receiveCount >= 1 ? Math.floor(receiveCount) : 1;
  // 2^(n-1) overflows to Infinity for huge n, which min() turns into the cap.
  return Math.min(policy.baseSeconds * 2 ** (n - 1), policy.capSeconds);
}

/** Whole seconds to hide the message; `random` returns [0, 1) (injected for tests). */
export function backoffSeconds(receiveCount: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const base = backoffBaseSeconds(receiveCount, policy);
  const factor = 1 + policy.jitter * (2 * random() - 1);
  // At least 1 s unless the policy itself allows less (a cap below 1 s, for tests).
  return clampVisibility(Math.max(Math.min(1, policy.capSeconds), Math.round(base * factor)));
}

export function clampVisibility(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 0) return 0;
  return Math.min(Math.round(seconds), MAX_VISIBILITY_SECONDS);
}
