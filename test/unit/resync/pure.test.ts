import { describe, expect, it } from 'vitest';
import { MANAGED_BY_ANNOTATION, WATCH_FILTER_LABEL } from '../../../shared/api/filters.ts';
import { originAnnotations, originLabels } from '../../../shared/api/origin.ts';
import { QueueMessage } from '../../../shared/queue/message.ts';
import { createDeadline } from '../../../shared/resync/deadline.ts';
import { resyncMessage } from '../../../shared/resync/full.ts';
import { isOrphan, orphanCandidate, orphanMessage } from '../../../shared/resync/orphans.ts';

const obj = (meta: Record<string, unknown>) => ({ metadata: { namespace: 'ns', name: 'n', uid: 'u1', ...meta } });

describe('resync message', () => {
  it('carries kind, key, uid and the run id, and is a valid queue message', () => {
    const m = resyncMessage('LoadBalancer', obj({}), 'run-7', undefined);
    expect(m).toEqual({ v: 1, kind: 'LoadBalancer', namespace: 'ns', name: 'n', uid: 'u1', source: 'resync', run: 'run-7' });
    expect(QueueMessage.safeParse(m).success).toBe(true);
  });
  it('R-GEN-03: with a watch filter only objects labelled with its value', () => {
    expect(resyncMessage('Network', obj({}), 'r', 'a')).toBeUndefined();
    expect(resyncMessage('Network', obj({ labels: { [WATCH_FILTER_LABEL]: 'b' } }), 'r', 'a')).toBeUndefined();
    expect(resyncMessage('Network', obj({ labels: { [WATCH_FILTER_LABEL]: 'a' } }), 'r', 'a')).toBeDefined();
  });
  it('R-GEN-04: externally managed objects are skipped', () => {
    expect(resyncMessage('Network', obj({ annotations: { [MANAGED_BY_ANNOTATION]: '' } }), 'r', undefined)).toBeUndefined();
  });
});

describe('orphans', () => {
  const projection = (uid: string, extra: Record<string, unknown> = {}) => {
    const src = { metadata: { namespace: 'src-ns', name: 'src', uid } };
    return { metadata: { name: 'p', namespace: 'apinet', labels: originLabels('VirtualIP', src), annotations: originAnnotations('VirtualIP', src), ...extra } };
  };
  it('a candidate needs all three origin keys of the kind', () => {
    expect(orphanCandidate(projection('u1'), 'VirtualIP')).toEqual({ kind: 'VirtualIP', namespace: 'src-ns', name: 'src', uid: 'u1' });
    expect(orphanCandidate(projection('u1'), 'Network')).toBeUndefined();
    const noName = projection('u1');
    noName.metadata.annotations = {};
    expect(orphanCandidate(noName, 'VirtualIP')).toBeUndefined();
    expect(orphanCandidate(projection('u1', { deletionTimestamp: '2024-01-01T00:00:00Z' }), 'VirtualIP')).toBeUndefined();
  });
  it('R-GEN-06: orphan when the source is missing or is a newer object of the same name', () => {
    const c = { kind: 'VirtualIP' as const, namespace: 'src-ns', name: 'src', uid: 'u1' };
    expect(isOrphan(c, undefined)).toBe(true);
    expect(isOrphan(c, { metadata: { uid: 'u2' } })).toBe(true);
    expect(isOrphan(c, { metadata: { uid: 'u1' } })).toBe(false);
  });
  it('the orphan message says DELETE of the old uid', () => {
    const m = orphanMessage({ kind: 'VirtualIP', namespace: 'src-ns', name: 'src', uid: 'u1' }, 'r');
    expect(m).toMatchObject({ op: 'DELETE', uid: 'u1', source: 'resync', run: 'r' });
    expect(QueueMessage.safeParse(m).success).toBe(true);
  });
});

describe('deadline', () => {
  it('keeps 20 % of the starting time (at least 10 s) in reserve by default', () => {
    let left = 300_000;
    const d = createDeadline(() => left);
    expect(d.reserveMs).toBe(60_000);
    left = 60_001;
    expect(d.expired()).toBe(false);
    left = 59_999;
    expect(d.expired()).toBe(true);
    expect(createDeadline(() => 20_000).reserveMs).toBe(10_000);
  });
  it('never expires without a time source', () => {
    expect(createDeadline(undefined).expired()).toBe(false);
  });
});
