import { describe, expect, it } from 'vitest';
import { backoffBaseSeconds, backoffSeconds, clampVisibility, DEFAULT_BACKOFF } from '../../../shared/queue/backoff.ts';

describe('backoff (ARCHITECTURE.md 2: min(base·2^(receiveCount-1), cap))', () => {
  it('doubles per receive from 1 s and stops at the 300 s cap', () => {
    expect([1, 2, 3, 4, 5, 9, 10].map((n) => backoffBaseSeconds(n))).toEqual([1, 2, 4, 8, 16, 256, 300]);
    expect(backoffBaseSeconds(5000)).toBe(300);
  });

  it('treats a missing or invalid receive count as the first receive', () => {
    expect(backoffBaseSeconds(0)).toBe(1);
    expect(backoffBaseSeconds(Number.NaN)).toBe(1);
  });

  it('honours a custom base and cap', () => {
    const policy = { baseSeconds: 5, capSeconds: 60, jitter: 0 };
    expect([1, 2, 3, 4, 5].map((n) => backoffBaseSeconds(n, policy))).toEqual([5, 10, 20, 40, 60]);
  });

  it('spreads the delay by at most ±jitter and never below 1 s', () => {
    expect(backoffSeconds(5, DEFAULT_BACKOFF, () => 0)).toBe(Math.round(16 * 0.8));
    expect(backoffSeconds(5, DEFAULT_BACKOFF, () => 0.999999)).toBe(Math.round(16 * 1.2));
    expect(backoffSeconds(5, DEFAULT_BACKOFF, () => 0.5)).toBe(16);
    expect(backoffSeconds(1, { baseSeconds: 0.1, capSeconds: 300, jitter: 0.2 }, () => 0)).toBe(1);
    for (let i = 0; i < 200; i++) {
      const s = backoffSeconds(20);
      expect(s).toBeGreaterThanOrEqual(240);
      expect(s).toBeLessThanOrEqual(360);
    }
  });

  it('keeps visibility timeouts inside what SQS accepts (0..43200)', () => {
    expect(clampVisibility(-5)).toBe(0);
    expect(clampVisibility(100_000)).toBe(43_200);
    expect(clampVisibility(12.4)).toBe(12);
  });
});
