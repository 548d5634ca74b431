/** The pure half of the Events (shared/reconcile/core/events.ts): names, bodies, reasons. */
import { describe, expect, it } from 'vitest';
import { ForbiddenError, UnavailableError } from '../../../shared/kube/errors.ts';
import { ReconcileError, UnknownLoadBalancerTypeError } from '../../../shared/reconcile/core/errors.ts';
import { EVENT_MESSAGE_LIMIT, eventForError, eventName, latestWarning, newEvent, repeatPatch, type EventSpec } from '../../../shared/reconcile/core/events.ts';

const involved = { apiVersion: 'networking.ironcore.dev/v1alpha1', kind: 'Network', namespace: 'ns', name: 'net', uid: 'u-1', resourceVersion: '7' };
const spec: EventSpec = { type: 'Warning', reason: 'ApplyFailed', message: 'boom' };
const ctx = { verb: 'apply', kind: 'Network', key: 'apinet/u-1' };

describe('Event names (client-go dedup key, stateless)', () => {
  it('the same occurrence always names the same Event; any part of the key changes it', () => {
    const name = eventName(involved, spec);
    expect(name).toMatch(/^net\.[0-9a-f]{16}$/);
    expect(eventName({ ...involved }, { ...spec })).toBe(name);
    for (const other of [
      eventName({ ...involved, uid: 'u-2' }, spec),
      eventName(involved, { ...spec, type: 'Normal' }),
      eventName(involved, { ...spec, reason: 'StatusFailed' }),
      eventName(involved, { ...spec, message: 'bang' }),
    ]) expect(other).not.toBe(name);
    // resourceVersion is not part of it (client-go's key leaves it out too): a retry after the object changed counts on.
    const changed: typeof involved = { ...involved, resourceVersion: '8' };
    expect(eventName(changed, spec)).toBe(name);
  });

  it('stays a DNS subdomain ≤ 253 for the longest object names', () => {
    const name = eventName({ ...involved, name: `${'a'.repeat(240)}.-b` }, spec);
    expect(name.length).toBeLessThanOrEqual(253);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    expect(name).not.toMatch(/[.-]\./);
  });
});

describe('Event bodies', () => {
  it('a first occurrence: core/v1 legacy shape kubectl describe reads, count 1, message clipped', () => {
    const now = new Date('2026-01-02T03:04:05.678Z');
    const ev = newEvent(involved, { ...spec, message: 'x'.repeat(5000) }, now);
    expect(ev).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { namespace: 'ns', name: eventName(involved, { ...spec, message: 'x'.repeat(5000) }) },
      involvedObject: involved,
      type: 'Warning',
      reason: 'ApplyFailed',
      source: { component: 'apinetlet' },
      firstTimestamp: '2026-01-02T03:04:05Z',
      lastTimestamp: '2026-01-02T03:04:05Z',
      count: 1,
    });
    expect((ev.message as string).length).toBe(EVENT_MESSAGE_LIMIT);
    expect(ev).not.toHaveProperty('eventTime');
  });

  it('a repeat counts on the stored count', () => {
    const now = new Date('2026-01-02T03:05:00Z');
    expect(repeatPatch({ metadata: {}, count: 4 }, now)).toEqual({ count: 5, lastTimestamp: '2026-01-02T03:05:00Z' });
    expect(repeatPatch({ metadata: {} }, now)).toEqual({ count: 2, lastTimestamp: '2026-01-02T03:05:00Z' });
  });
});

describe('reasons of failures', () => {
  it('from the step; 403 is Forbidden; an untranslatable spec is InvalidSpec; the message is the error\'s', () => {
    const applyErr = new ReconcileError('ns/net', 'apply', 'apply of apinet Network failed: x', { cause: new UnavailableError(ctx, 500, 'InternalError', 'x', undefined, {}) });
    expect(eventForError(applyErr)).toEqual({ type: 'Warning', reason: 'ApplyFailed', message: applyErr.message });
    expect(eventForError(new ReconcileError('ns/net', 'status', 'y', { cause: new ForbiddenError(ctx, 403, 'Forbidden', 'no') })).reason).toBe('Forbidden');
    expect(eventForError(new UnknownLoadBalancerTypeError('ns/lb', 'Odd')).reason).toBe('InvalidSpec');
    expect(eventForError(new ReconcileError('ns/x', 'odd-step', 'z')).reason).toBe('ReconcileFailed');
    expect(eventForError(new Error('plain'))).toEqual({ type: 'Warning', reason: 'ReconcileFailed', message: 'plain' });
  });
});

describe('latestWarning (the last error npm run redrive shows)', () => {
  const ev = (over: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Event', metadata: { name: String(over.reason) }, type: 'Warning', source: { component: 'apinetlet' }, count: 1, ...over });
  it('picks the newest Warning by lastTimestamp; ties go to the higher count', () => {
    const events = [
      ev({ reason: 'ApplyFailed', message: 'old', lastTimestamp: '2026-01-01T00:00:01Z', count: 9 }),
      ev({ reason: 'ReadFailed', message: 'new', lastTimestamp: '2026-01-01T00:00:05Z', count: 2 }),
      ev({ reason: 'StatusFailed', message: 'same time, fewer', lastTimestamp: '2026-01-01T00:00:05Z', count: 1 }),
    ];
    expect(latestWarning(events)).toEqual({ reason: 'ReadFailed', message: 'new', count: 2, at: '2026-01-01T00:00:05Z' });
  });
  it('ignores Normal Events and Events of other writers; none → undefined', () => {
    expect(latestWarning([ev({ reason: 'ProjectionCreated', type: 'Normal', lastTimestamp: '2026-01-02T00:00:00Z' }), ev({ reason: 'BackOff', source: { component: 'kubelet' }, lastTimestamp: '2026-01-03T00:00:00Z' })])).toBeUndefined();
    expect(latestWarning([])).toBeUndefined();
  });
});
