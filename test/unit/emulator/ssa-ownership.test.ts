import { describe, expect, it } from 'vitest';
import { fromFieldsV1, printPath, toFieldsV1, keyPath } from '../../../infra/local/emulator/fieldsv1.ts';
import { recordUpdate, serverSideApply } from '../../../infra/local/emulator/ssa.ts';
import { ApiError, type KindDef, type KubeObject } from '../../../infra/local/emulator/types.ts';

/** apinet LoadBalancer-like kind: `spec.ips` keyed by name (apinet-api.md 3.4). */
const lb = {
  group: 'core.apinet.ironcore.dev', version: 'v1alpha1', kind: 'LoadBalancer', resource: 'loadbalancers',
  singular: 'loadbalancer', namespaced: true, statusSubresource: true, nameRule: 'subdomain',
  listMapKeys: { 'spec.ips': ['name'] }, atomicMaps: ['spec.networkRef'],
} as KindDef;
const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:01:00Z';
const T2 = '2026-01-01T00:02:00Z';

const lbObj = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}, rest: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'core.apinet.ironcore.dev/v1alpha1', kind: 'LoadBalancer', metadata: { name: 'lb', namespace: 'ns', ...meta }, spec, ...rest }) as KubeObject;
const apply = (live: KubeObject | undefined, c: KubeObject, manager: string, now: string, force = false, subresource: 'main' | 'status' = 'main') =>
  serverSideApply(live, c, { manager, force, kind: lb, subresource, now });
const entries = (o: KubeObject) => (o.metadata.managedFields ?? []) as Record<string, unknown>[];

function catchErr(f: () => unknown): ApiError {
  try {
    f();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('server-side apply ownership', () => {
  it('associative lists merge by key; a server-set field of an item survives re-apply (apinet-api 3.4)', () => {
    const c = lbObj({ type: 'Public', ips: [{ name: 'ipv4', ipFamily: 'IPv4' }] });
    const created = apply(undefined, c, 'apinetlet', T0);
    // The server allocates the IP after apply: not attributed to any manager.
    const allocated = { ...created, spec: { type: 'Public', ips: [{ name: 'ipv4', ipFamily: 'IPv4', ip: '10.0.0.1' }] } } as KubeObject;
    const again = apply(allocated, lbObj({ type: 'Public', ips: [{ name: 'ipv4', ipFamily: 'IPv4' }, { name: 'ipv6', ipFamily: 'IPv6' }] }), 'apinetlet', T1);
    expect(again.spec).toEqual({ type: 'Public', ips: [{ name: 'ipv4', ipFamily: 'IPv4', ip: '10.0.0.1' }, { name: 'ipv6', ipFamily: 'IPv6' }] });
    const dropped = apply(again, lbObj({ type: 'Public', ips: [{ name: 'ipv6', ipFamily: 'IPv6' }] }), 'apinetlet', T2);
    expect(dropped.spec).toEqual({ type: 'Public', ips: [{ name: 'ipv6', ipFamily: 'IPv6' }] });
  });

  it('SRV-06: fields written by others, server-filled fields and status survive a forced re-apply', () => {
    const mgr = 'ironcore.dev/apinetlet';
    const config = lbObj({ type: 'Public', networkRef: { name: 'n1' } });
    const created = apply(undefined, config, mgr, T0, true);
    // Server fills spec.id after the apply (no owner); a controller sets status; the autoscaler patches ips.
    const filled = { ...created, spec: { ...(created.spec as object), id: '42' }, status: { ready: true } } as KubeObject;
    const scaled = recordUpdate(filled, { ...filled, spec: { ...(filled.spec as object), ips: [{ name: 'ip-1', ipFamily: 'IPv4' }] } } as KubeObject,
      { manager: 'autoscaler', kind: lb, subresource: 'main', now: T1 });
    const reapplied = apply(scaled, config, mgr, T2, true);
    expect(reapplied.spec).toEqual({ type: 'Public', networkRef: { name: 'n1' }, id: '42', ips: [{ name: 'ip-1', ipFamily: 'IPv4' }] });
    expect(reapplied.status).toEqual({ ready: true });
    expect(entries(reapplied).map((e) => e.manager)).toEqual([mgr, 'autoscaler']);
  });

  it('metadata.ownerReferences are keyed by uid and finalizers merge as a set', () => {
    const ref = (uid: string) => ({ apiVersion: 'v1', kind: 'X', name: uid, uid });
    const a = apply(undefined, lbObj({ type: 'Public' }, { ownerReferences: [ref('u1')], finalizers: ['f/a'] }), 'a', T0);
    const bConfig = lbObj({}, { ownerReferences: [ref('u2')], finalizers: ['f/b'] });
    delete bConfig.spec;
    const b = apply(a, bConfig, 'b', T1);
    expect(b.metadata.ownerReferences!.map((r) => r.uid)).toEqual(['u1', 'u2']);
    expect(b.metadata.finalizers).toEqual(['f/a', 'f/b']);
    expect(entries(b).find((e) => e.manager === 'b')!.fieldsV1).toEqual({
      'f:metadata': { 'f:finalizers': { 'v:"f/b"': {} }, 'f:ownerReferences': { 'k:{"uid":"u2"}': { '.': {}, 'f:apiVersion': {}, 'f:kind': {}, 'f:name': {}, 'f:uid': {} } } },
    });
    const c = apply(b, lbObj({ type: 'Public' }, { finalizers: ['f/a'] }), 'a', T2);
    expect(c.metadata.ownerReferences!.map((r) => r.uid)).toEqual(['u2']);
    expect(c.metadata.finalizers).toEqual(['f/a', 'f/b']);
  });

  it('atomic maps and atomic lists are owned whole and replaced whole', () => {
    const a = apply(undefined, lbObj({ networkRef: { name: 'n1' }, ports: [{ port: 80 }, { port: 443 }] }), 'a', T0);
    expect(entries(a)[0]!.fieldsV1).toEqual({ 'f:spec': { 'f:networkRef': {}, 'f:ports': {} } });
    const forced = apply(a, lbObj({ networkRef: { name: 'n2' }, ports: [{ port: 8080 }] }), 'b', T1, true);
    expect(forced.spec).toEqual({ networkRef: { name: 'n2' }, ports: [{ port: 8080 }] });
    expect(entries(forced).map((e) => e.manager)).toEqual(['b']);
  });

  it('several conflicts: multi-line message grouped by sorted manager', () => {
    const a = apply(undefined, lbObj({ type: 'Public', networkRef: { name: 'n1' } }), 'zed', T0);
    const b = apply(a, lbObj({}, { labels: { x: '1' } }), 'amy', T1);
    const err = catchErr(() => apply(b, lbObj({ type: 'Internal', networkRef: { name: 'n2' } }, { labels: { x: '2' } }), 'me', T2));
    expect(err.message).toBe('Apply failed with 3 conflicts: conflicts with "amy":\n- .metadata.labels.x\nconflicts with "zed":\n- .spec.networkRef\n- .spec.type');
    expect(err.details!.causes).toHaveLength(3);
  });

  it('equal values never conflict: ownership becomes shared', () => {
    const a = apply(undefined, lbObj({ type: 'Public' }), 'a', T0);
    const b = apply(a, lbObj({ type: 'Public' }), 'b', T1);
    expect(entries(b).map((e) => [e.manager, e.fieldsV1])).toEqual([
      ['a', { 'f:spec': { 'f:type': {} } }], ['b', { 'f:spec': { 'f:type': {} } }],
    ]);
  });

  it('a no-op re-apply keeps the entry time; a changing one refreshes it', () => {
    const a = apply(undefined, lbObj({ type: 'Public' }), 'a', T0);
    expect(entries(apply(a, lbObj({ type: 'Public' }), 'a', T1))[0]!.time).toBe(T0);
    expect(entries(apply(a, lbObj({ type: 'Internal' }), 'a', T1))[0]!.time).toBe(T1);
  });

  it('status subresource: main apply ignores status, status apply owns only status', () => {
    const a = apply(undefined, lbObj({ type: 'Public' }, {}, { status: { ips: ['1.1.1.1'] } }), 'a', T0);
    expect(a.status).toBeUndefined();
    expect(JSON.stringify(entries(a))).not.toContain('f:status');
    const s = apply(a, lbObj({ type: 'Internal' }, { labels: { l: '1' } }, { status: { ips: ['2.2.2.2'] } }), 'ctl', T1, false, 'status');
    expect(s.spec).toEqual({ type: 'Public' });
    expect(s.metadata.labels).toBeUndefined();
    expect(s.status).toEqual({ ips: ['2.2.2.2'] });
    expect(entries(s).find((e) => e.manager === 'ctl')).toMatchObject({ subresource: 'status', fieldsV1: { 'f:status': { 'f:ips': {} } } });
    // A main apply by the same manager is a separate entry and never conflicts with the status one.
    const m = apply(s, lbObj({ type: 'Public' }, {}, { status: { ips: ['9.9.9.9'] } }), 'ctl', T2);
    expect(m.status).toEqual({ ips: ['2.2.2.2'] });
    expect(entries(m).filter((e) => e.manager === 'ctl')).toHaveLength(2);
  });

  it('status apply built by the server from the stored object (managedFields copied) is accepted', () => {
    const a = apply(undefined, lbObj({ type: 'Public' }), 'a', T0);
    const s1 = apply(a, { ...structuredClone(a), status: { ips: ['1.1.1.1'] } } as KubeObject, 'ctl', T1, false, 'status');
    expect(s1.status).toEqual({ ips: ['1.1.1.1'] });
    const err = catchErr(() => apply(s1, { ...structuredClone(s1), status: { ips: ['2.2.2.2'] } } as KubeObject, 'other', T2, false, 'status'));
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "ctl" with subresource "status": .status.ips');
    // Foreign managedFields are still refused.
    const foreign = { ...structuredClone(s1), metadata: { ...s1.metadata, managedFields: [{ manager: 'x' }] } } as KubeObject;
    expect(catchErr(() => apply(s1, foreign, 'ctl', T2, false, 'status')).message).toBe('metadata.managedFields must be nil');
  });

  it('bad input: wrong type 400, managedFields 400, missing name 422, duplicate keys 500', () => {
    const wrong = { ...lbObj({}), apiVersion: 'core.apinet.ironcore.dev/v2' } as KubeObject;
    expect(catchErr(() => apply(undefined, wrong, 'a', T0))).toMatchObject({ code: 400, message: 'invalid object type: core.apinet.ironcore.dev/v2, Kind=LoadBalancer' });
    expect(catchErr(() => apply(undefined, lbObj({}, { managedFields: [] }), 'a', T0))).toMatchObject({ code: 400, message: 'metadata.managedFields must be nil' });
    expect(catchErr(() => apply(undefined, lbObj({}, { name: undefined }), 'a', T0)).code).toBe(422);
    const dup = catchErr(() => apply(undefined, lbObj({ ips: [{ name: 'a' }, { name: 'a' }] }), 'a', T0));
    expect(dup.code).toBe(500);
    expect(dup.message).toContain('ns/lb');
  });

  it('before-first-apply: an untracked object gets an owner, so changing its values conflicts', () => {
    const untracked = lbObj({ type: 'Public' });
    const err = catchErr(() => apply(untracked, lbObj({ type: 'Internal' }), 'a', T1));
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "before-first-apply" using core.apinet.ironcore.dev/v1alpha1: .spec.type');
  });
});

describe('recordUpdate (non-apply writes)', () => {
  const opts = (manager: string, now: string) => ({ manager, kind: lb, subresource: 'main' as const, now });

  it('create: the manager owns every field it set, containers marked with "."', () => {
    const c = recordUpdate(undefined, lbObj({ type: 'Public' }, { labels: { team: 'a' } }, { status: { x: 1 } }), opts('kubectl-create', T0));
    expect(entries(c)).toEqual([{
      manager: 'kubectl-create', operation: 'Update', apiVersion: 'core.apinet.ironcore.dev/v1alpha1', time: T0, fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:team': {} } }, 'f:spec': { '.': {}, 'f:type': {} } },
    }]);
  });

  it('update: the writer gains changed fields, others lose them, emptied entries vanish, removed fields go', () => {
    const a = apply(undefined, lbObj({ type: 'Public' }, { labels: { x: '1' } }), 'a', T0);
    const u = recordUpdate(a, { ...a, spec: { type: 'Internal' } } as KubeObject, opts('kubectl-patch', T1));
    expect(entries(u).map((e) => [e.manager, e.fieldsV1])).toEqual([
      ['a', { 'f:metadata': { 'f:labels': { 'f:x': {} } } }], ['kubectl-patch', { 'f:spec': { 'f:type': {} } }],
    ]);
    const gone = recordUpdate(u, { ...u, metadata: { ...u.metadata, labels: {} } } as KubeObject, opts('kubectl-label', T2));
    expect(entries(gone).map((e) => e.manager)).toEqual(['kubectl-patch']);
    expect(entries(recordUpdate(gone, gone, opts('noop', T2)))).toEqual(entries(gone));
  });

  it('8.10: managedFields [] resets tracking; a write to an untracked object does not start it', () => {
    const a = apply(undefined, lbObj({ type: 'Public' }), 'a', T0);
    const reset = recordUpdate(a, { ...a, metadata: { ...a.metadata, managedFields: [] } } as KubeObject, opts('m', T1));
    expect(reset.metadata.managedFields).toBeUndefined();
    const untouched = recordUpdate(reset, { ...reset, spec: { type: 'Internal' } } as KubeObject, opts('m', T2));
    expect(untouched.metadata.managedFields).toBeUndefined();
  });
});

describe('FieldsV1 encoding (8.2, 8.5)', () => {
  it('round-trips and orders siblings ".", f:, k:, v:, i:', () => {
    const v1 = { 'f:a': { '.': {}, 'f:b': {} }, 'f:l': { 'k:{"name":"p"}': { '.': {}, 'f:name': {} }, 'v:3': {}, 'i:2': {}, 'i:10': {} } };
    const set = fromFieldsV1(v1);
    expect(set.size).toBe(7);
    expect(JSON.stringify(toFieldsV1(set))).toBe(JSON.stringify(v1));
  });

  it('prints paths like the conflict message', () => {
    expect(printPath(keyPath('["f:spec","f:peerings","k:{\\"name\\":\\"p1\\"}","f:prefixes"]'))).toBe('.spec.peerings[name="p1"].prefixes');
    expect(printPath(['f:spec', 'f:tags', 'v:"x"'])).toBe('.spec.tags[="x"]');
    expect(printPath(['f:spec', 'f:items', 'i:0'])).toBe('.spec.items[0]');
    expect(printPath(['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}'])).toBe('.spec.ports[port=80,protocol="TCP"]');
  });
});
