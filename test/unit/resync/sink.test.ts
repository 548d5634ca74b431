import { describe, expect, it } from 'vitest';
import { EnqueueError, type Enqueuer } from '../../../shared/queue/enqueue.ts';
import type { QueueMessage } from '../../../shared/queue/message.ts';
import { createEnqueueSink } from '../../../shared/resync/sink.ts';

const msg = (i: number, kind: QueueMessage['kind'] = 'Network'): QueueMessage => ({ v: 1, kind, namespace: 'ns', name: `o-${i}`, source: 'resync', run: 'r' });

/** An in-memory enqueuer that resolves after a tick and records what it got and how much was in flight. */
function recorder(fail?: (m: QueueMessage) => boolean) {
  const received: QueueMessage[] = [];
  let inFlight = 0;
  let peak = 0;
  const enqueuer: Enqueuer = {
    async enqueue(messages) {
      inFlight += messages.length;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight -= messages.length;
      const failed = fail ? messages.filter(fail) : [];
      received.push(...messages.filter((m) => !failed.includes(m)));
      if (failed.length) throw new EnqueueError(messages.length - failed.length, failed.map((message) => ({ message, code: 'InternalError', reason: 'boom' })));
    },
  };
  return { enqueuer, received, peak: () => peak };
}

describe('enqueue sink', () => {
  it('sends every message once, in chunks, holding at most chunkSize × maxPending messages at once', async () => {
    const r = recorder();
    const sink = createEnqueueSink(r.enqueuer, { chunkSize: 10, maxPending: 2 });
    for (let i = 0; i < 1000; i++) await sink.add(msg(i));
    await sink.flush();
    expect(r.received.map((m) => m.name)).toEqual(Array.from({ length: 1000 }, (_, i) => `o-${i}`));
    expect(sink.counts().sent.Network).toBe(1000);
    // Flat memory: independent of the 1000 messages.
    expect(sink.counts().peakHeld).toBeLessThanOrEqual(20);
    expect(r.peak()).toBeLessThanOrEqual(20);
  });

  it('counts per kind and reports the messages SQS refused with their keys', async () => {
    const r = recorder((m) => m.name === 'o-3');
    const sink = createEnqueueSink(r.enqueuer, { chunkSize: 4 });
    for (let i = 0; i < 5; i++) await sink.add(msg(i, i % 2 ? 'VirtualIP' : 'Network'));
    await sink.flush();
    const c = sink.counts();
    expect(c.sent).toMatchObject({ Network: 3, VirtualIP: 1 });
    expect(c.failed).toMatchObject({ VirtualIP: 1, Network: 0 });
    expect(c.failureSamples).toEqual(['VirtualIP ns/o-3: InternalError: boom']);
  });

  it('an enqueuer failing as a whole fails the chunk, not the run', async () => {
    const sink = createEnqueueSink({ enqueue: () => Promise.reject(new Error('network down')) }, { chunkSize: 2 });
    for (let i = 0; i < 3; i++) await sink.add(msg(i));
    await sink.flush();
    expect(sink.counts().failed.Network).toBe(3);
    expect(sink.counts().sent.Network).toBe(0);
  });
});
