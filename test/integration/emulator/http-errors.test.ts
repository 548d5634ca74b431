/** Wire-level behaviour over raw HTTPS: auth, discovery, bad input and the exact Status bodies (kube-api.md §1, §2, §7, §10, §12). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../infra/local/emulator/index.ts';
import { GROUP, VERSION, eventually, raw, testFlavour, widget, widgetsPath } from './helpers.ts';

let emu: Emulator;
const create = (name: string, spec: Record<string, unknown> = {}, labels?: Record<string, string>) =>
  raw(emu, 'POST', widgetsPath(), { body: JSON.stringify(widget(name, spec, labels)) });

beforeAll(async () => {
  emu = await startEmulator({ flavour: testFlavour() });
});
afterAll(() => emu?.stop());

describe('authentication', () => {
  it('answers 401 with the real Status for a missing or wrong token', async () => {
    for (const token of [null, 'wrong']) {
      const r = await raw(emu, 'GET', widgetsPath(), { token });
      expect(r.status).toBe(401);
      expect(r.text).toBe('{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}');
    }
  });
});

describe('discovery', () => {
  it('serves /version, /api, /apis and the resource list with the main resource before /status', async () => {
    expect((await raw(emu, 'GET', '/version')).json().major).toBe('1');
    expect((await raw(emu, 'GET', '/api')).json()).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await raw(emu, 'GET', '/apis')).json();
    expect(groups.groups.map((g: any) => g.name)).toEqual(['admissionregistration.k8s.io', GROUP]);
    const list = (await raw(emu, 'GET', `/apis/${GROUP}/${VERSION}`)).json();
    expect(list.resources.map((r: any) => r.name)).toEqual(['widgets', 'widgets/status', 'gadgets']);
    expect(list.resources[1]).toEqual({ name: 'widgets/status', singularName: '', namespaced: true, kind: 'Widget', verbs: ['get', 'patch', 'update'] });
    const index = (await raw(emu, 'GET', '/openapi/v3')).json();
    const doc = (await raw(emu, 'GET', index.paths[`apis/${GROUP}/${VERSION}`].serverRelativeURL)).json();
    const p = doc.paths[`/apis/${GROUP}/${VERSION}/namespaces/{namespace}/widgets/{name}`].patch;
    expect(p['x-kubernetes-group-version-kind']).toEqual({ group: GROUP, version: VERSION, kind: 'Widget' });
  });

  it('unknown groups, versions, resources and scope mismatches are the generic 404', async () => {
    for (const path of [`/apis/nope.dev/v1/widgets`, `/apis/${GROUP}/v9/widgets`, `/apis/${GROUP}/${VERSION}/namespaces/default/nothings`, `/apis/${GROUP}/${VERSION}/namespaces/default/gadgets`, `/apis/${GROUP}/${VERSION}/widgets/x`]) {
      const r = await raw(emu, 'GET', path);
      expect(r.status, path).toBe(404);
      expect(r.json()).toMatchObject({ reason: 'NotFound', message: 'the server could not find the requested resource' });
    }
  });
});

describe('bad input', () => {
  it('malformed JSON is 400, unknown Content-Type 415, a body over 3 MiB 413', async () => {
    const bad = await raw(emu, 'POST', widgetsPath(), { body: '{"apiVersion":' });
    expect(bad.status).toBe(400);
    expect(bad.json().reason).toBe('BadRequest');
    const ct = await raw(emu, 'POST', widgetsPath(), { body: JSON.stringify(widget('x')), contentType: 'text/plain' });
    expect(ct.status).toBe(415);
    expect(ct.json().message).toBe('the body of the request was in an unknown format - accepted media types include: application/json, application/yaml');
    const big = await raw(emu, 'POST', widgetsPath(), { body: JSON.stringify({ ...widget('big'), spec: { blob: 'x'.repeat(3 * 1024 * 1024 + 10) } }) });
    expect(big.status).toBe(413);
    expect(big.json().reason).toBe('RequestEntityTooLarge');
    expect((await raw(emu, 'GET', widgetsPath('default', 'big'))).status).toBe(404);
  });

  it('apiVersion/name mismatches are 400, resourceVersion on create an unclassified 500', async () => {
    const v = await raw(emu, 'POST', widgetsPath(), { body: JSON.stringify({ ...widget('a'), apiVersion: `${GROUP}/v2` }) });
    expect(v.status).toBe(400);
    expect(v.json().message).toBe(`the API version in the data (${GROUP}/v2) does not match the expected API version (${GROUP}/${VERSION})`);
    const rv = await raw(emu, 'POST', widgetsPath(), { body: JSON.stringify({ ...widget('a'), metadata: { name: 'a', resourceVersion: '5' } }) });
    expect(rv.status).toBe(500);
    expect(rv.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'resourceVersion should not be set on objects to be created', code: 500 });
    await create('nm');
    const cur = (await raw(emu, 'GET', widgetsPath('default', 'nm'))).json();
    const put = await raw(emu, 'PUT', widgetsPath('default', 'nm'), { body: JSON.stringify({ ...cur, metadata: { ...cur.metadata, name: 'other' } }) });
    expect(put.status).toBe(400);
    expect(put.json().message).toBe('the name of the object (other) does not match the name on the URL (nm)');
  });

  it('fieldValidation: Strict rejects unknown metadata fields, Warn answers a Warning header', async () => {
    const body = JSON.stringify({ ...widget('fv'), metadata: { name: 'fv', bogus: 1 } });
    const strict = await raw(emu, 'POST', `${widgetsPath()}?fieldValidation=Strict`, { body });
    expect(strict.status).toBe(400);
    expect(strict.json().message).toBe('Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "metadata.bogus"');
    const warn = await raw(emu, 'POST', widgetsPath(), { body });
    expect(warn.status).toBe(201);
    expect(String(warn.headers.warning)).toContain('unknown field \\"metadata.bogus\\"');
    expect(warn.json().metadata.bogus).toBeUndefined();
  });

  it('dryRun other than All is 422 on the options kind', async () => {
    const r = await raw(emu, 'POST', `${widgetsPath()}?dryRun=true`, { body: JSON.stringify(widget('d')) });
    expect(r.status).toBe(422);
    expect(r.json().message).toBe('CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["true"]: supported values: "All"');
  });
});

describe('patch', () => {
  it('JSON patch applies `test`; a failing test is 422 with the generic message and changes nothing', async () => {
    await create('jp', { size: 1 });
    const ok = await raw(emu, 'PATCH', widgetsPath('default', 'jp'), {
      contentType: 'application/json-patch+json',
      body: JSON.stringify([{ op: 'test', path: '/spec/size', value: 1 }, { op: 'replace', path: '/spec/size', value: 2 }]),
    });
    expect(ok.status).toBe(200);
    expect(ok.json().spec.size).toBe(2);
    const fail = await raw(emu, 'PATCH', widgetsPath('default', 'jp'), {
      contentType: 'application/json-patch+json',
      body: JSON.stringify([{ op: 'test', path: '/spec/size', value: 1 }, { op: 'replace', path: '/spec/size', value: 3 }]),
    });
    expect(fail.status).toBe(422);
    expect(fail.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server rejected our request due to an error in our request', reason: 'Invalid', details: {}, code: 422 });
    expect((await raw(emu, 'GET', widgetsPath('default', 'jp'))).json().spec.size).toBe(2);
  });

  it('apply needs a fieldManager, force only goes with apply, POST on /status is 405', async () => {
    await create('ap');
    const noFm = await raw(emu, 'PATCH', widgetsPath('default', 'ap'), { contentType: 'application/apply-patch+yaml', body: JSON.stringify(widget('ap')) });
    expect(noFm.status).toBe(422);
    expect(noFm.json().message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    const force = await raw(emu, 'PATCH', `${widgetsPath('default', 'ap')}?force=true`, { contentType: 'application/merge-patch+json', body: '{}' });
    expect(force.status).toBe(422);
    expect(force.json().message).toContain('force: Forbidden: may not be specified for non-apply patch');
    const post = await raw(emu, 'POST', widgetsPath('default', 'ap', 'status'), { body: JSON.stringify(widget('ap')) });
    expect(post.status).toBe(405);
    expect(post.json().message).toBe(`create is not supported on resources of kind "widgets.${GROUP}"`);
  });

  it('server-side apply conflict without force is 409 naming the field and the manager', async () => {
    const path = (m: string, force = false) => `${widgetsPath('default', 'ssa')}?fieldManager=${m}${force ? '&force=true' : ''}`;
    const apply = (m: string, spec: object, force = false) =>
      raw(emu, 'PATCH', path(m, force), { contentType: 'application/apply-patch+yaml', body: JSON.stringify(widget('ssa', spec as Record<string, unknown>)) });
    expect((await apply('alice', { size: 1 })).status).toBe(201);
    const c = await apply('bob', { size: 2 });
    expect(c.status).toBe(409);
    expect(c.json()).toMatchObject({
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "alice": .spec.size',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.size' }] },
    });
    expect((await apply('bob', { size: 2 }, true)).json().spec.size).toBe(2);
  });
});

describe('collections, namespaces, counters, faults', () => {
  it('deletecollection removes the selected objects and answers the list as it was', async () => {
    await create('dc-1', {}, { dc: 'yes' });
    await create('dc-2', {}, { dc: 'yes' });
    await create('dc-3', {}, { dc: 'no' });
    const r = await raw(emu, 'DELETE', `${widgetsPath()}?labelSelector=dc%3Dyes`);
    expect(r.status).toBe(200);
    expect(r.json().items.map((i: any) => i.metadata.name)).toEqual(['dc-1', 'dc-2']);
    const left = (await raw(emu, 'GET', `${widgetsPath()}?labelSelector=dc`)).json();
    expect(left.items.map((i: any) => i.metadata.name)).toEqual(['dc-3']);
  });

  it('deleting a namespace removes its content, then the namespace; creating into it meanwhile is 403', async () => {
    await raw(emu, 'POST', '/api/v1/namespaces', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone' } }) });
    await raw(emu, 'POST', widgetsPath('gone'), { body: JSON.stringify({ ...widget('held'), metadata: { name: 'held', finalizers: ['test/hold'] } }) });
    const d = await raw(emu, 'DELETE', '/api/v1/namespaces/gone');
    expect(d.json().status.phase).toBe('Terminating');
    const blocked = await raw(emu, 'POST', widgetsPath('gone'), { body: JSON.stringify(widget('late')) });
    expect(blocked.status).toBe(403);
    await eventually(async () => (await raw(emu, 'GET', widgetsPath('gone', 'held'))).json().metadata?.deletionTimestamp);
    await raw(emu, 'PATCH', widgetsPath('gone', 'held'), { contentType: 'application/merge-patch+json', body: '{"metadata":{"finalizers":null}}' });
    await eventually(async () => (await raw(emu, 'GET', '/api/v1/namespaces/gone')).status === 404);
  });

  it('counts requests per verb and resource, and injected faults answer the chosen status', async () => {
    emu.counters.reset();
    await raw(emu, 'GET', widgetsPath());
    await raw(emu, 'GET', widgetsPath());
    await create('cnt');
    expect(emu.counters.get('list', 'widgets')).toBe(2);
    expect(emu.counters.get('create')).toBe(1);
    expect(emu.counters.get()).toBe(3);
    const remove = emu.faults.inject({ verb: 'get', resource: 'widgets', status: 429, count: 1 });
    expect((await raw(emu, 'GET', widgetsPath('default', 'cnt'))).status).toBe(429);
    expect((await raw(emu, 'GET', widgetsPath('default', 'cnt'))).status).toBe(200);
    remove();
    emu.faults.inject({ verb: 'patch', status: 500 });
    const p = await raw(emu, 'PATCH', widgetsPath('default', 'cnt'), { contentType: 'application/merge-patch+json', body: '{"spec":{"size":9}}' });
    expect(p.status).toBe(500);
    expect(p.json().reason).toBe('InternalError');
    emu.faults.clear();
    expect((await raw(emu, 'GET', widgetsPath('default', 'cnt'))).json().spec).toEqual({});
  });
});
