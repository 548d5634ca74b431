/** The emulator through @kubernetes/client-node, as the functions use it (kube-api.md §3–§10). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomObjectsApi, KubeConfig, PatchStrategy, Watch, setHeaderOptions } from '@kubernetes/client-node';
import { startEmulator, type Emulator } from '../../../infra/local/emulator/index.ts';
import { GROUP, VERSION, eventually, testFlavour, widget } from './helpers.ts';

let emu: Emulator;
let api: CustomObjectsApi;
let kc: KubeConfig;
const base = { group: GROUP, version: VERSION, namespace: 'default', plural: 'widgets' };
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

async function apiError(p: Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code: number; body: string };
    return { code: err.code, body: typeof err.body === 'string' ? JSON.parse(err.body) : err.body };
  }
  throw new Error('expected the request to fail');
}

const get = (name: string) => api.getNamespacedCustomObject({ ...base, name }) as Promise<any>;
const gone = (name: string) => get(name).then(() => false, (e) => e.code === 404);

beforeAll(async () => {
  emu = await startEmulator({ flavour: testFlavour(), watchWindow: 20, bookmarkIntervalMs: 200 });
  kc = new KubeConfig();
  kc.loadFromString(emu.kubeconfig());
  api = kc.makeApiClient(CustomObjectsApi);
});
afterAll(() => emu?.stop());

describe('create, get, list', () => {
  it('POST fills uid, creationTimestamp, resourceVersion, generation 1 and drops status', async () => {
    const created: any = await api.createNamespacedCustomObject({ ...base, body: { ...widget('w-create', { size: 1 }), status: { ready: true } } });
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(created.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(created.metadata.generation).toBe(1);
    expect(created.status).toBeUndefined();
    expect((await get('w-create')).metadata.uid).toBe(created.metadata.uid);
  });

  it('generateName appends 5 characters of the server alphabet', async () => {
    const created: any = await api.createNamespacedCustomObject({ ...base, body: { ...widget(''), metadata: { generateName: 'gen-' } } });
    expect(created.metadata.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('AlreadyExists, missing namespace and invalid names answer the real Status', async () => {
    await api.createNamespacedCustomObject({ ...base, body: widget('w-dup') });
    const dup = await apiError(api.createNamespacedCustomObject({ ...base, body: widget('w-dup') }));
    expect(dup.code).toBe(409);
    expect(dup.body).toMatchObject({ reason: 'AlreadyExists', message: `widgets.${GROUP} "w-dup" already exists` });
    const ns = await apiError(api.createNamespacedCustomObject({ ...base, namespace: 'nope', body: widget('w1') }));
    expect(ns.code).toBe(404);
    expect(ns.body.message).toBe('namespaces "nope" not found');
    const bad = await apiError(api.createNamespacedCustomObject({ ...base, body: widget('Bad_Name') }));
    expect(bad.code).toBe(422);
    expect(bad.body.reason).toBe('Invalid');
    expect(bad.body.message).toMatch(/^Widget\.test\.emulator\.dev "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    expect(bad.body.details.causes[0].field).toBe('metadata.name');
    const hook = await apiError(api.createNamespacedCustomObject({ ...base, body: widget('w-neg', { size: -1 }) }));
    expect(hook.code).toBe(422);
    expect(hook.body.details.causes).toEqual([{ reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be >= 0', field: 'spec.size' }]);
  });

  it('LIST honours label selectors (equality and set-based) and field selectors', async () => {
    await api.createNamespacedCustomObject({ ...base, body: widget('sel-a', { color: 'red' }, { tier: 'web', env: 'prod' }) });
    await api.createNamespacedCustomObject({ ...base, body: widget('sel-b', { color: 'blue' }, { tier: 'db', env: 'prod' }) });
    await api.createNamespacedCustomObject({ ...base, body: widget('sel-c', { color: 'red' }, { tier: 'web' }) });
    const names = async (q: { labelSelector?: string; fieldSelector?: string }) =>
      ((await api.listNamespacedCustomObject({ ...base, ...q })) as any).items.map((i: any) => i.metadata.name);
    expect(await names({ labelSelector: 'tier=web,env=prod' })).toEqual(['sel-a']);
    expect(await names({ labelSelector: 'tier in (web,db),!env' })).toEqual(['sel-c']);
    expect(await names({ labelSelector: 'env notin (prod),tier' })).toEqual(['sel-c']);
    expect(await names({ fieldSelector: 'spec.color=red' })).toEqual(['sel-a', 'sel-c']);
    expect(await names({ fieldSelector: 'metadata.name!=sel-a', labelSelector: 'tier' })).toEqual(['sel-b', 'sel-c']);
    const bad = await apiError(api.listNamespacedCustomObject({ ...base, fieldSelector: 'spec.size=1' }));
    expect(bad.code).toBe(400);
    expect(bad.body.message).toContain('"spec.size" is not a known field selector');
  });

  it('LIST pages with limit and continue and reports remainingItemCount', async () => {
    for (const n of ['pg-1', 'pg-2', 'pg-3', 'pg-4', 'pg-5']) await api.createNamespacedCustomObject({ ...base, namespace: 'default', body: widget(n, {}, { page: 'yes' }) });
    const all = ((await api.listNamespacedCustomObject({ ...base })) as any).items.length;
    const first: any = await api.listNamespacedCustomObject({ ...base, limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.metadata.continue).toBeTruthy();
    expect(first.metadata.remainingItemCount).toBe(all - 2);
    const seen = [...first.items.map((i: any) => i.metadata.name)];
    let token = first.metadata.continue;
    while (token) {
      const page: any = await api.listNamespacedCustomObject({ ...base, limit: 2, _continue: token });
      expect(page.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
      seen.push(...page.items.map((i: any) => i.metadata.name));
      token = page.metadata.continue;
    }
    expect(seen).toHaveLength(all);
    expect(new Set(seen).size).toBe(all);
    const selected: any = await api.listNamespacedCustomObject({ ...base, limit: 2, labelSelector: 'page=yes' });
    expect(selected.metadata.remainingItemCount).toBeUndefined();
    expect(selected.metadata.continue).toBeTruthy();
  });
});

describe('updates', () => {
  it('merge patch with a stale resourceVersion is a 409 Conflict; without one it applies', async () => {
    const w: any = await api.createNamespacedCustomObject({ ...base, body: widget('w-patch', { size: 1 }) });
    const stale = w.metadata.resourceVersion;
    await api.patchNamespacedCustomObject({ ...base, name: 'w-patch', body: { spec: { size: 2 } } }, merge);
    const err = await apiError(
      api.patchNamespacedCustomObject({ ...base, name: 'w-patch', body: { metadata: { resourceVersion: stale }, spec: { size: 3 } } }, merge),
    );
    expect(err.code).toBe(409);
    expect(err.body.message).toBe(
      `Operation cannot be fulfilled on widgets.${GROUP} "w-patch": the object has been modified; please apply your changes to the latest version and try again`,
    );
    const now = await get('w-patch');
    expect(now.spec.size).toBe(2);
    expect(now.metadata.generation).toBe(2);
  });

  it('PUT without resourceVersion is 422, PUT with a stale one 409', async () => {
    const w: any = await api.createNamespacedCustomObject({ ...base, body: widget('w-put') });
    const noRv = await apiError(api.replaceNamespacedCustomObject({ ...base, name: 'w-put', body: widget('w-put', { size: 5 }) }));
    expect(noRv.code).toBe(422);
    expect(noRv.body.message).toBe(`widgets.${GROUP} "w-put" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update`);
    const ok: any = await api.replaceNamespacedCustomObject({ ...base, name: 'w-put', body: { ...widget('w-put', { size: 5 }), metadata: { ...w.metadata } } });
    expect(ok.spec.size).toBe(5);
    const stale = await apiError(api.replaceNamespacedCustomObject({ ...base, name: 'w-put', body: { ...widget('w-put', { size: 6 }), metadata: { ...w.metadata } } }));
    expect(stale.code).toBe(409);
  });

  it('status subresource: status writes keep spec and generation, main writes keep status', async () => {
    await api.createNamespacedCustomObject({ ...base, body: widget('w-status', { size: 1 }) });
    const s: any = await api.patchNamespacedCustomObjectStatus({ ...base, name: 'w-status', body: { spec: { size: 99 }, status: { ready: true } } }, merge);
    expect(s.status).toEqual({ ready: true });
    expect(s.spec.size).toBe(1);
    expect(s.metadata.generation).toBe(1);
    const m: any = await api.patchNamespacedCustomObject({ ...base, name: 'w-status', body: { spec: { size: 2 }, status: { ready: false } } }, merge);
    expect(m.status).toEqual({ ready: true });
    expect(m.spec.size).toBe(2);
    expect(m.metadata.generation).toBe(2);
  });

  it('a write that changes nothing keeps the resourceVersion', async () => {
    const w: any = await api.createNamespacedCustomObject({ ...base, body: widget('w-noop', { size: 1 }) });
    const p: any = await api.patchNamespacedCustomObject({ ...base, name: 'w-noop', body: { spec: { size: 1 } } }, merge);
    expect(p.metadata.resourceVersion).toBe(w.metadata.resourceVersion);
  });

  it('dryRun=All validates but stores nothing', async () => {
    const d: any = await api.createNamespacedCustomObject({ ...base, body: widget('w-dry'), dryRun: 'All' });
    expect(d.metadata.uid).toBeTruthy();
    expect(d.metadata.resourceVersion).toBeUndefined();
    expect((await apiError(get('w-dry'))).code).toBe(404);
  });
});

describe('watch', () => {
  function collect(path: string, query: Record<string, string | boolean>) {
    const events: { type: string; obj: any }[] = [];
    let done = false;
    const w = new Watch(kc);
    const ctrl = w.watch(path, query, (type, obj) => events.push({ type, obj }), () => (done = true));
    return { events, stop: async () => (await ctrl).abort(), isDone: () => done };
  }
  const path = `/apis/${GROUP}/${VERSION}/namespaces/default/widgets`;

  it('resumes after a resourceVersion with the later events in write order', async () => {
    const a: any = await api.createNamespacedCustomObject({ ...base, body: widget('wa-1', {}, { watch: 'a' }) });
    await api.patchNamespacedCustomObject({ ...base, name: 'wa-1', body: { spec: { size: 4 } } }, merge);
    await api.createNamespacedCustomObject({ ...base, body: widget('wa-2', {}, { watch: 'a' }) });
    const w = collect(path, { resourceVersion: a.metadata.resourceVersion, labelSelector: 'watch=a' });
    await api.deleteNamespacedCustomObject({ ...base, name: 'wa-1' });
    await eventually(async () => w.events.length >= 3);
    await w.stop();
    expect(w.events.map((e) => `${e.type} ${e.obj.metadata.name}`)).toEqual(['MODIFIED wa-1', 'ADDED wa-2', 'DELETED wa-1']);
    const rvs = w.events.map((e) => Number(e.obj.metadata.resourceVersion));
    expect([...rvs].sort((x, y) => x - y)).toEqual(rvs);
  });

  it('answers ERROR 410 Expired for a resourceVersion older than the window', async () => {
    const first: any = await api.createNamespacedCustomObject({ ...base, body: widget('old-0') });
    for (let i = 0; i < 25; i++) await api.patchNamespacedCustomObject({ ...base, name: 'old-0', body: { spec: { size: i } } }, merge);
    const w = collect(path, { resourceVersion: first.metadata.resourceVersion });
    await eventually(async () => w.isDone() && w.events.length > 0);
    expect(w.events[0].type).toBe('ERROR');
    expect(w.events[0].obj).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    expect(w.events[0].obj.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it('sends bookmarks when allowed', async () => {
    const w = collect(path, { allowWatchBookmarks: true, labelSelector: 'none=here' });
    await eventually(async () => w.events.some((e) => e.type === 'BOOKMARK'));
    await w.stop();
    const b = w.events.find((e) => e.type === 'BOOKMARK')!;
    expect(b.obj).toMatchObject({ kind: 'Widget', apiVersion: `${GROUP}/${VERSION}` });
    expect(Number(b.obj.metadata.resourceVersion)).toBeGreaterThan(0);
  });
});

describe('deletion', () => {
  it('finalizers: DELETE sets deletionTimestamp, removing the last finalizer removes the object', async () => {
    await api.createNamespacedCustomObject({ ...base, body: { ...widget('w-fin'), metadata: { name: 'w-fin', finalizers: ['test/keep'] } } });
    const d: any = await api.deleteNamespacedCustomObject({ ...base, name: 'w-fin' });
    expect(d.metadata.deletionTimestamp).toBeTruthy();
    expect(d.metadata.generation).toBe(2);
    const added = await apiError(api.patchNamespacedCustomObject({ ...base, name: 'w-fin', body: { metadata: { finalizers: ['test/keep', 'test/new'] } } }, merge));
    expect(added.code).toBe(422);
    expect(added.body.details.causes[0].field).toBe('metadata.finalizers');
    expect((await get('w-fin')).metadata.finalizers).toEqual(['test/keep']);
    await api.patchNamespacedCustomObject({ ...base, name: 'w-fin', body: { metadata: { finalizers: null } } }, merge);
    expect((await apiError(get('w-fin'))).code).toBe(404);
  });

  it('DELETE preconditions answer 409 with the kind-qualified message', async () => {
    await api.createNamespacedCustomObject({ ...base, body: widget('w-pre') });
    const e = await apiError(api.deleteNamespacedCustomObject({ ...base, name: 'w-pre', body: { preconditions: { uid: 'x' } } }));
    expect(e.code).toBe(409);
    expect(e.body.message).toMatch(/^Operation cannot be fulfilled on Widget\.test\.emulator\.dev "w-pre": the UID in the precondition \(x\) does not match/);
    expect((await get('w-pre')).metadata.name).toBe('w-pre');
  });

  it('ownerReference GC: background deletes orphaned dependents, keeps those with a present owner', async () => {
    const owner: any = await api.createNamespacedCustomObject({ ...base, body: widget('own-1') });
    const other: any = await api.createNamespacedCustomObject({ ...base, body: widget('own-2') });
    const ref = (o: any, block = false) => ({ apiVersion: `${GROUP}/${VERSION}`, kind: 'Widget', name: o.metadata.name, uid: o.metadata.uid, blockOwnerDeletion: block });
    await api.createNamespacedCustomObject({ ...base, body: { ...widget('dep-1'), metadata: { name: 'dep-1', ownerReferences: [ref(owner)] } } });
    await api.createNamespacedCustomObject({ ...base, body: { ...widget('dep-2'), metadata: { name: 'dep-2', ownerReferences: [ref(owner), ref(other)] } } });
    await api.deleteNamespacedCustomObject({ ...base, name: 'own-1' });
    await eventually(async () => gone('dep-1'));
    await new Promise((r) => setTimeout(r, 100));
    expect((await get('dep-2')).metadata.name).toBe('dep-2');
  });

  it('foreground deletion waits for blocking dependents; orphan keeps dependents without the reference', async () => {
    const owner: any = await api.createNamespacedCustomObject({ ...base, body: widget('fg-owner') });
    const ref = { apiVersion: `${GROUP}/${VERSION}`, kind: 'Widget', name: 'fg-owner', uid: owner.metadata.uid, blockOwnerDeletion: true };
    await api.createNamespacedCustomObject({ ...base, body: { ...widget('fg-dep'), metadata: { name: 'fg-dep', finalizers: ['test/hold'], ownerReferences: [ref] } } });
    const d: any = await api.deleteNamespacedCustomObject({ ...base, name: 'fg-owner', propagationPolicy: 'Foreground' });
    expect(d.metadata.finalizers).toContain('foregroundDeletion');
    await eventually(async () => (await get('fg-dep')).metadata.deletionTimestamp);
    await new Promise((r) => setTimeout(r, 100));
    expect((await get('fg-owner')).metadata.deletionTimestamp).toBeTruthy();
    await api.patchNamespacedCustomObject({ ...base, name: 'fg-dep', body: { metadata: { finalizers: null } } }, merge);
    await eventually(async () => gone('fg-owner'));

    const o2: any = await api.createNamespacedCustomObject({ ...base, body: widget('or-owner') });
    await api.createNamespacedCustomObject({
      ...base,
      body: { ...widget('or-dep'), metadata: { name: 'or-dep', ownerReferences: [{ apiVersion: `${GROUP}/${VERSION}`, kind: 'Widget', name: 'or-owner', uid: o2.metadata.uid }] } },
    });
    await api.deleteNamespacedCustomObject({ ...base, name: 'or-owner', propagationPolicy: 'Orphan' });
    await eventually(async () => gone('or-owner'));
    expect((await get('or-dep')).metadata.ownerReferences).toBeUndefined();
  });
});
