import { describe, expect, it } from 'vitest';
import { recordUpdate, serverSideApply } from '../../../infra/local/emulator/ssa.ts';
import { ApiError, type KindDef, type KubeObject } from '../../../infra/local/emulator/types.ts';

/** The CRD of kube-api.md §8.11 (networks.example.com/v1). */
const network = {
  group: 'example.com', version: 'v1', kind: 'Network', resource: 'networks', singular: 'network',
  namespaced: true, statusSubresource: true, nameRule: 'subdomain',
  listMapKeys: { 'spec.peerings': ['name'] }, listSets: ['spec.tags'], atomicMaps: ['spec.location'],
} as KindDef;

const T0 = '2026-11-26T10:00:00Z';
const T1 = '2026-11-26T10:01:00Z';
const T2 = '2026-11-26T10:02:00Z';

const obj = (rest: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'example.com/v1', kind: 'Network', metadata: { name: 'n1', ...meta }, ...rest }) as KubeObject;

const alice1 = obj(
  { spec: { id: '7', location: { zone: 'z1' }, peerings: [{ name: 'p1', prefixes: ['10.0.0.0/8'] }], tags: ['x'] } },
  { labels: { team: 'a' } },
);
const bob1 = obj({ spec: { id: '8', peerings: [{ name: 'p2', prefixes: ['192.168.0.0/16'] }], tags: ['y'] } });

const apply = (live: KubeObject | undefined, c: KubeObject, manager: string, now: string, force = false, subresource: 'main' | 'status' = 'main') =>
  serverSideApply(live, c, { manager, force, kind: network, subresource, now });

function catchErr(f: () => unknown): ApiError {
  try {
    f();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

const aliceFields1 = {
  'f:metadata': { 'f:labels': { 'f:team': {} } },
  'f:spec': {
    'f:id': {}, 'f:location': {},
    'f:peerings': { 'k:{"name":"p1"}': { '.': {}, 'f:name': {}, 'f:prefixes': {} } },
    'f:tags': { 'v:"x"': {} },
  },
};

describe('server-side apply, worked examples of kube-api.md 8.11', () => {
  it('8.11 example 1: apply creates with the exact managedFields entry', () => {
    const created = apply(undefined, alice1, 'alice', T0);
    expect(created.spec).toEqual(alice1.spec);
    expect(created.metadata.labels).toEqual({ team: 'a' });
    expect(created.metadata.managedFields).toEqual([
      { manager: 'alice', operation: 'Apply', apiVersion: 'example.com/v1', time: T0, fieldsType: 'FieldsV1', fieldsV1: aliceFields1 },
    ]);
    // Key order of the entry as the real server writes it (8.1).
    expect(Object.keys((created.metadata.managedFields as object[])[0]!)).toEqual(
      ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1'],
    );
    expect(created.metadata.uid).toBeUndefined();
  });

  it('8.11 example 1: a second manager changing an owned field gets the 409 of 8.5', () => {
    const live = apply(undefined, alice1, 'alice', T0);
    const err = catchErr(() => apply(live, bob1, 'bob', T1));
    expect(err.code).toBe(409);
    expect(err.reason).toBe('Conflict');
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "alice": .spec.id');
    expect(err.details).toEqual({ causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.id' }] });
  });

  it('8.11 example 1: force takes the field; new items and set values merge', () => {
    const live = apply(undefined, alice1, 'alice', T0);
    const forced = apply(live, bob1, 'bob', T1, true);
    expect(forced.spec).toEqual({
      id: '8', location: { zone: 'z1' },
      peerings: [{ name: 'p1', prefixes: ['10.0.0.0/8'] }, { name: 'p2', prefixes: ['192.168.0.0/16'] }],
      tags: ['x', 'y'],
    });
    const mf = forced.metadata.managedFields as Record<string, unknown>[];
    expect(mf.map((e) => e.manager)).toEqual(['alice', 'bob']);
    expect(mf[0]!.fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { 'f:team': {} } },
      'f:spec': { 'f:location': {}, 'f:peerings': { 'k:{"name":"p1"}': { '.': {}, 'f:name': {}, 'f:prefixes': {} } }, 'f:tags': { 'v:"x"': {} } },
    });
    expect(mf[1]!.fieldsV1).toEqual({
      'f:spec': { 'f:id': {}, 'f:peerings': { 'k:{"name":"p2"}': { '.': {}, 'f:name': {}, 'f:prefixes': {} } }, 'f:tags': { 'v:"y"': {} } },
    });
  });

  it('8.11 example 2: fields a manager stops applying go, fields of other managers survive (SRV-06 style)', () => {
    const live = apply(apply(undefined, alice1, 'alice', T0), bob1, 'bob', T1, true);
    const alice2 = obj({ spec: { peerings: [{ name: 'p1', prefixes: ['10.0.0.0/8'] }] } }, { labels: { team: 'a' } });
    const after = apply(live, alice2, 'alice', T2);
    expect(after.spec).toEqual({
      id: '8',
      peerings: [{ name: 'p1', prefixes: ['10.0.0.0/8'] }, { name: 'p2', prefixes: ['192.168.0.0/16'] }],
      tags: ['y'],
    });
    const aliceEntry = (after.metadata.managedFields as Record<string, unknown>[]).find((e) => e.manager === 'alice')!;
    expect(aliceEntry.fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { 'f:team': {} } },
      'f:spec': { 'f:peerings': { 'k:{"name":"p1"}': { '.': {}, 'f:name': {}, 'f:prefixes': {} } } },
    });
    expect(aliceEntry.time).toBe(T2);
  });

  it('8.11 example 2: a value both managers own stays when one stops applying it', () => {
    const bobWithX = obj({ spec: { id: '8', peerings: [{ name: 'p2', prefixes: ['192.168.0.0/16'] }], tags: ['y', 'x'] } });
    const live = apply(apply(undefined, alice1, 'alice', T0), bobWithX, 'bob', T1, true);
    const after = apply(live, obj({ spec: { peerings: [{ name: 'p1', prefixes: ['10.0.0.0/8'] }] } }), 'alice', T2);
    expect(after.spec!).toMatchObject({ tags: ['x', 'y'] });
    expect((after.spec as Record<string, unknown>).location).toBeUndefined();
    expect(after.metadata.labels).toBeUndefined();
  });

  it('8.11 example 3: Update managers, status manager and the conflict texts naming them', () => {
    const live0 = apply(apply(undefined, alice1, 'alice', T0), bob1, 'bob', T1, true);
    // 1. status PUT by a client-node controller.
    const statusPut = recordUpdate(live0, { ...live0, status: { state: 'Ready' } } as KubeObject,
      { manager: 'node-fetch', kind: network, subresource: 'status', now: T1 });
    const statusEntry = (statusPut.metadata.managedFields as Record<string, unknown>[]).find((e) => e.manager === 'node-fetch');
    expect(statusEntry).toEqual({
      manager: 'node-fetch', operation: 'Update', apiVersion: 'example.com/v1', time: T1, fieldsType: 'FieldsV1',
      fieldsV1: { 'f:status': { '.': {}, 'f:state': {} } }, subresource: 'status',
    });
    // 2. merge patch of spec.id by kubectl-patch: takes the field from bob, no conflict.
    const patched = recordUpdate(statusPut, { ...statusPut, spec: { ...(statusPut.spec as object), id: '9' } } as KubeObject,
      { manager: 'kubectl-patch', kind: network, subresource: 'main', now: T2 });
    const mf = patched.metadata.managedFields as Record<string, unknown>[];
    expect(mf.find((e) => e.manager === 'kubectl-patch')!.fieldsV1).toEqual({ 'f:spec': { 'f:id': {} } });
    expect(JSON.stringify(mf.find((e) => e.manager === 'bob')!.fieldsV1)).not.toContain('f:id');
    // 3. bob re-applies id 8.
    expect(catchErr(() => apply(patched, bob1, 'bob', T2)).message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-patch" using example.com/v1: .spec.id');
    // 4. status apply by ctl.
    const ctl = obj({ status: { state: 'Degraded' } });
    expect(catchErr(() => apply(patched, ctl, 'ctl', T2, false, 'status')).message).toBe(
      'Apply failed with 1 conflict: conflict with "node-fetch" with subresource "status" using example.com/v1: .status.state');
  });
});
