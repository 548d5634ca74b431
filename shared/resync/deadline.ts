/**
 * When the scheduled function stops starting new work (ARCHITECTURE.md 6: it must finish well
 * inside its timeout). Pure: the clock and the Lambda's remaining time are passed in.
 */
export interface Deadline {
  /** True once the remaining time is below the reserve: start nothing new. */
  expired(): boolean;
  /** Milliseconds left (Infinity without a time source). */
  remainingMs(): number;
  /** The reserve kept free for flushing sends and writing the summary. */
  readonly reserveMs: number;
}

/**
 * `remainingMs` is the Lambda context's getRemainingTimeInMillis (undefined: no limit). The
 * reserve is `reserveMs` when given, else 20 % of the time left at start but at least 10 s —
 * for a 300 s timeout that leaves a minute for the in-flight sends and the summary.
 */
export function createDeadline(remainingMs: (() => number) | undefined, reserveMs?: number): Deadline {
  const left = remainingMs ?? (() => Number.POSITIVE_INFINITY);
  const initial = left();
  const reserve = reserveMs ?? (Number.isFinite(initial) ? Math.max(10_000, Math.floor(initial * 0.2)) : 0);
  return {
    reserveMs: reserve,
    remainingMs: left,
    expired: () => left() < reserve,
  };
}
