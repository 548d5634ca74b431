import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../shared/kube/errors.ts';
import { createTokenBucket, withBudget, type Transport } from '../../shared/kube/transport.ts';

const ctx = { verb: 'get', kind: 'Network', key: 'ns/n' } as never;

describe('client-side request budget (issue 12, part 4)', () => {
  it('a token bucket lets `burst` through at once, then `qps` per second', async () => {
    let t = 0;
    const waits: number[] = [];
    const bucket = createTokenBucket({ qps: 10, burst: 3 }, () => t, async (ms) => { waits.push(ms); t += ms; });
    for (let i = 0; i < 5; i++) await bucket.take();
    expect(waits).toEqual([100, 100]); // 3 from the burst, then one per 100 ms
    expect(t).toBe(200);
  });

  it('429 waits Retry-After (bounded) and retries; other errors and a lasting 429 reach the caller', async () => {
    const slept: number[] = [];
    let calls = 0;
    const answers = [429, 429, 200];
    const t: Transport = async () => {
      const code = answers[calls++]!;
      if (code === 429) throw new UnavailableError(ctx, 429, 'TooManyRequests', 'slow down', undefined, { retryAfterSeconds: calls === 1 ? 2 : 60 });
      return { code, body: '{}' };
    };
    const budgeted = withBudget(t, { retry429: { maxWaitSeconds: 5 }, sleep: async (ms) => void slept.push(ms) });
    await expect(budgeted({ method: 'GET', path: '/x' }, ctx)).resolves.toEqual({ code: 200, body: '{}' });
    expect(slept).toEqual([2000, 5000]); // as told, capped at 5 s

    const always: Transport = async () => { throw new UnavailableError(ctx, 429, 'TooManyRequests', 'no', undefined, {}); };
    const n = { calls: 0 };
    const counted: Transport = (r, c) => { n.calls++; return always(r, c); };
    await expect(withBudget(counted, { retry429: { maxRetries: 2 }, sleep: async () => undefined })({ method: 'GET', path: '/x' }, ctx)).rejects.toThrow(/no/);
    expect(n.calls).toBe(3);

    const e500: Transport = async () => { throw new UnavailableError(ctx, 500, 'InternalError', 'boom', undefined, {}); };
    const m = { calls: 0 };
    await expect(withBudget((r, c) => { m.calls++; return e500(r, c); }, { sleep: async () => undefined })({ method: 'GET', path: '/x' }, ctx)).rejects.toThrow(/boom/);
    expect(m.calls).toBe(1);
  });
});
