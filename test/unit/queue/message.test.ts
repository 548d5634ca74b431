import { describe, expect, it } from 'vitest';
import { deduplicationId, toBatchEntry, chunk } from '../../../shared/queue/enqueue.ts';
import { messageGroupId, parseQueueMessage, type QueueMessage } from '../../../shared/queue/message.ts';

const base: QueueMessage = { v: 1, kind: 'Network', namespace: 'ns', name: 'n1', source: 'admission', uid: 'u-1', op: 'UPDATE', resourceVersion: '7' };

describe('queue message parsing', () => {
  it('accepts a well-formed message', () => {
    const r = parseQueueMessage(JSON.stringify(base));
    expect(r).toEqual({ ok: true, message: base });
  });

  it('rejects non-JSON with the reason', () => {
    const r = parseQueueMessage('{not json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/not JSON/);
  });

  it('rejects unknown kinds, missing names and extra fields, naming the fields', () => {
    const r = parseQueueMessage(JSON.stringify({ ...base, kind: 'Pod', name: '', extra: 1 }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toMatch(/kind/);
      expect(r.reason).toMatch(/name/);
      expect(r.reason).toMatch(/extra/);
    }
  });

  it('rejects a message of another version', () => {
    expect(parseQueueMessage(JSON.stringify({ ...base, v: 2 })).ok).toBe(false);
  });
});

describe('deduplication id (ARCHITECTURE.md 1)', () => {
  it('is stable for the same event and a 64-character hex string', () => {
    const a = deduplicationId(base);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(deduplicationId({ ...base })).toBe(a);
    // key order of the body does not matter
    expect(deduplicationId(JSON.parse(JSON.stringify({ resourceVersion: '7', ...base })))).toBe(a);
  });

  it('differs when any identifying field differs', () => {
    const a = deduplicationId(base);
    const variants: QueueMessage[] = [
      { ...base, kind: 'LoadBalancer' },
      { ...base, namespace: 'other' },
      { ...base, name: 'n2' },
      { ...base, uid: 'u-2' },
      { ...base, resourceVersion: '8' },
      { ...base, op: 'DELETE' },
      { ...base, source: 'watch' },
      { ...base, run: 'r1' },
    ];
    const ids = new Set(variants.map(deduplicationId));
    expect(ids.size).toBe(variants.length);
    expect(ids.has(a)).toBe(false);
  });

  it('does not collide when fields shift across the separator', () => {
    expect(deduplicationId({ ...base, namespace: 'a', name: 'b/c' })).not.toBe(deduplicationId({ ...base, namespace: 'a/b', name: 'c' }));
  });

  it('separates resync runs', () => {
    const r: QueueMessage = { v: 1, kind: 'VirtualIP', namespace: 'ns', name: 'v', source: 'resync', run: 'run-1' };
    expect(deduplicationId(r)).not.toBe(deduplicationId({ ...r, run: 'run-2' }));
  });
});

describe('batch entries', () => {
  it('group by key and carry the message as the body', () => {
    const e = toBatchEntry(base, '3');
    expect(e).toEqual({ Id: '3', MessageGroupId: messageGroupId(base), MessageDeduplicationId: deduplicationId(base), MessageBody: JSON.stringify(base) });
    expect(e.MessageGroupId).toBe('ns/n1');
  });

  it('are sent in chunks of at most 10', () => {
    expect(chunk(Array.from({ length: 23 }, (_, i) => i), 10).map((c) => c.length)).toEqual([10, 10, 3]);
    expect(chunk([], 10)).toEqual([]);
  });
});
