import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WATCH_FILTER_LABEL, MANAGED_BY_ANNOTATION } from '../../../shared/api/filters.ts';
import { PRIMARY_KINDS, type PrimaryKind } from '../../../shared/api/resources.ts';
import { runResync } from '../../../shared/resync/index.ts';
import { APINET_NAMESPACE, startHarness, type Harness } from '../harness.ts';
import { createIroncore, keyOf, takeAll } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());
afterEach(async () => {
  await takeAll(h.sqsClient, h.sqs.queues);
  h.ironcoreEmulator.counters.reset();
});

const plurals: Record<PrimaryKind, string> = {
  Network: 'networks', LoadBalancer: 'loadbalancers', NATGateway: 'natgateways',
  NetworkPolicy: 'networkpolicies', VirtualIP: 'virtualips', NetworkInterface: 'networkinterfaces',
};

describe('full resync', () => {
  it('enqueues exactly the key of every object of the six kinds, listing page by page', async () => {
    const counts: Record<PrimaryKind, number> = { Network: 7, LoadBalancer: 2, NATGateway: 4, NetworkPolicy: 3, VirtualIP: 5, NetworkInterface: 1 };
    const expected = new Set<string>();
    const uids = new Map<string, string>();
    for (const ns of ['rs-a', 'rs-b']) {
      await h.namespace(ns);
      for (const kind of PRIMARY_KINDS) {
        for (let i = 0; i < counts[kind]; i++) {
          const obj = await createIroncore(h.ironcore, kind, ns, `${kind.toLowerCase()}-${i}`);
          const key = `${kind} ${ns}/${obj.metadata.name}`;
          expected.add(key);
          uids.set(key, obj.metadata.uid ?? '');
        }
      }
    }
    h.ironcoreEmulator.counters.reset();

    const summary = await runResync(
      { ironcore: h.ironcore, apinet: h.apinet, enqueuer: h.enqueuer },
      { apinetNamespace: APINET_NAMESPACE, pageSize: 3, natAutoscaling: false, phases: { orphans: false }, run: 'run-1' },
    );

    const messages = await takeAll(h.sqsClient, h.sqs.queues);
    expect(new Set(messages.map(keyOf))).toEqual(expected);
    expect(messages).toHaveLength(expected.size); // one message per key, no duplicates
    for (const m of messages) {
      expect(m).toMatchObject({ v: 1, source: 'resync', uid: uids.get(keyOf(m)) });
      // The body is the message contract (ARCHITECTURE.md 2); the run id only feeds the dedup id.
      expect(Object.keys(m).sort()).toEqual(['kind', 'name', 'namespace', 'source', 'uid', 'v']);
    }
    for (const kind of PRIMARY_KINDS) {
      expect(summary.enqueued[kind]).toBe(2 * counts[kind]);
      // Pages of 3: 2·n objects take ceil(2n/3) LIST calls (a full last page carries no `continue`).
      expect(h.ironcoreEmulator.counters.get('list', plurals[kind])).toBe(Math.max(1, Math.ceil((2 * counts[kind]) / 3)));
    }
    expect(summary.errors).toEqual([]);
    expect(summary.stoppedEarly).toBeUndefined();
  });

  it('a second run enqueues the same keys again (its run id escapes SQS deduplication)', async () => {
    await h.namespace('rs-c');
    await createIroncore(h.ironcore, 'Network', 'rs-c', 'again');
    const deps = { ironcore: h.ironcore, apinet: h.apinet, enqueuer: h.enqueuer };
    const opts = { apinetNamespace: APINET_NAMESPACE, natAutoscaling: false, phases: { orphans: false } };
    await runResync(deps, { ...opts, run: 'first' });
    const first = (await takeAll(h.sqsClient, h.sqs.queues)).filter((m) => m.namespace === 'rs-c');
    await runResync(deps, { ...opts, run: 'second' });
    const second = (await takeAll(h.sqsClient, h.sqs.queues)).filter((m) => m.namespace === 'rs-c');
    expect(first.map(keyOf)).toEqual(['Network rs-c/again']);
    expect(second.map(keyOf)).toEqual(['Network rs-c/again']);
  });

  it('R-GEN-03/R-GEN-04: honours the watch filter and skips externally managed objects', async () => {
    await h.namespace('rs-f');
    await createIroncore(h.ironcore, 'Network', 'rs-f', 'mine', { labels: { [WATCH_FILTER_LABEL]: 'shard-1' } });
    await createIroncore(h.ironcore, 'VirtualIP', 'rs-f', 'mine-vip', { labels: { [WATCH_FILTER_LABEL]: 'shard-1' } });
    await createIroncore(h.ironcore, 'Network', 'rs-f', 'other-shard', { labels: { [WATCH_FILTER_LABEL]: 'shard-2' } });
    await createIroncore(h.ironcore, 'Network', 'rs-f', 'unlabelled');
    await createIroncore(h.ironcore, 'VirtualIP', 'rs-f', 'managed', { labels: { [WATCH_FILTER_LABEL]: 'shard-1' }, annotations: { [MANAGED_BY_ANNOTATION]: 'someone' } });

    const summary = await runResync(
      { ironcore: h.ironcore, apinet: h.apinet, enqueuer: h.enqueuer },
      { apinetNamespace: APINET_NAMESPACE, watchFilter: 'shard-1', natAutoscaling: false, phases: { orphans: false } },
    );
    const keys = (await takeAll(h.sqsClient, h.sqs.queues)).map(keyOf);
    // Objects of earlier tests carry no filter label: none of them may appear either.
    expect(keys.sort()).toEqual(['Network rs-f/mine', 'VirtualIP rs-f/mine-vip']);
    expect(summary.enqueued.Network).toBe(1);
    expect(summary.excluded.VirtualIP).toBeGreaterThanOrEqual(1);
  });

  it('stops starting new work when the remaining time falls below the reserve, and says so', async () => {
    await h.namespace('rs-t');
    for (let i = 0; i < 6; i++) await createIroncore(h.ironcore, 'Network', 'rs-t', `t-${i}`);
    let left = 100_000;
    const summary = await runResync(
      { ironcore: h.ironcore, apinet: h.apinet, enqueuer: h.enqueuer },
      // The clock runs down 10 s per call: after a few objects the reserve is reached.
      { apinetNamespace: APINET_NAMESPACE, natAutoscaling: false, phases: { migration: false }, pageSize: 2, reserveMs: 50_000, remainingMs: () => (left -= 10_000) },
    );
    const messages = await takeAll(h.sqsClient, h.sqs.queues);
    expect(summary.stoppedEarly?.incomplete).toContain('full:Network');
    expect(summary.stoppedEarly?.incomplete).toContain('orphans:Network');
    expect(messages.length).toBe(summary.enqueued.Network);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.length).toBeLessThan(6);
  });
});
