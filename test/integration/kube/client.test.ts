import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestClusters, type TestCluster, type TestClusters } from '../../servers.ts';
import { ironcore } from '../../../shared/api/resources.ts';
import { createKubeClient, getKubeClient, type KubeClient } from '../../../shared/kube/client.ts';
import { ConflictError, InvalidError, NotFoundError, UnauthorizedError, UnavailableError } from '../../../shared/kube/errors.ts';
import { loadKubeConfig } from '../../../shared/kube/kubeconfig.ts';
import type { KubeObject } from '../../../shared/kube/types.ts';

const MANAGER = 'ironcore.dev/apinetlet';
let emu: TestCluster;
let clusters: TestClusters;
let kube: KubeClient;

const network = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'networking.ironcore.dev/v1alpha1',
  kind: 'Network',
  metadata: { namespace: 'default', name, labels },
  spec: {},
});

beforeAll(async () => {
  // The emulator, or real servers behind the counting front (npm run test:real).
  clusters = await startTestClusters({ apinetNamespace: 'apinet' });
  emu = clusters.ironcore;
  kube = createKubeClient(loadKubeConfig(emu.kubeconfig(), 'test kubeconfig'));
});
afterAll(async () => {
  await clusters?.stop();
});

describe('kube client against the emulator', () => {
  it('server-side apply creates, and re-applying the same object changes nothing', async () => {
    const created = await kube.apply(ironcore.Network, network('apply-1', { a: 'b' }), { fieldManager: MANAGER });
    expect(created.metadata.uid).toBeTruthy();
    expect(created.metadata.labels).toEqual({ a: 'b' });
    const again = await kube.apply(ironcore.Network, network('apply-1', { a: 'b' }), { fieldManager: MANAGER });
    expect(again.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    const got = await kube.get(ironcore.Network, 'default', 'apply-1');
    expect(got?.metadata.uid).toBe(created.metadata.uid);
  });

  it('get answers undefined for a missing object', async () => {
    expect(await kube.get(ironcore.Network, 'default', 'does-not-exist')).toBeUndefined();
  });

  it('merge patch with a stale resourceVersion → ConflictError naming the verb and key', async () => {
    const obj = await kube.apply(ironcore.Network, network('patch-1'), { fieldManager: MANAGER });
    const rv = obj.metadata.resourceVersion!;
    const patched = await kube.mergePatch(ironcore.Network, 'default', 'patch-1', { metadata: { finalizers: ['apinet.ironcore.dev/network'] } }, { resourceVersion: rv });
    expect(patched.metadata.finalizers).toEqual(['apinet.ironcore.dev/network']);
    const err = await kube
      .mergePatch(ironcore.Network, 'default', 'patch-1', { metadata: { labels: { x: 'y' } } }, { resourceVersion: rv })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).code).toBe(409);
    expect((err as ConflictError).message).toMatch(/^patch Network default\/patch-1: 409 Conflict: /);
    expect((err as ConflictError).statusMessage).toMatch(/Operation cannot be fulfilled/);
  });

  it('status patch goes to the subresource and leaves spec alone', async () => {
    await kube.apply(ironcore.Network, network('status-1'), { fieldManager: MANAGER });
    const out = await kube.mergePatch(ironcore.Network, 'default', 'status-1', { status: { state: 'Available' }, spec: { providerID: 'ignored' } }, { subresource: 'status' });
    expect(out.status).toMatchObject({ state: 'Available' });
    const got = await kube.get<KubeObject & { spec?: { providerID?: string } }>(ironcore.Network, 'default', 'status-1');
    expect(got?.status).toMatchObject({ state: 'Available' });
    expect(got?.spec?.providerID).toBeUndefined();
    const counts = kube.takeApiCallCounts();
    expect(counts['patch-status Network']).toBeGreaterThanOrEqual(1);
    expect(kube.takeApiCallCounts()).toEqual({});
  });

  it('JSON patch with a failing test op → InvalidError; a passing one applies', async () => {
    const obj = await kube.apply(ironcore.Network, network('jp-1'), { fieldManager: MANAGER });
    const err = await kube
      .jsonPatch(ironcore.Network, 'default', 'jp-1', [
        { op: 'test', path: '/metadata/resourceVersion', value: 'not-the-version' },
        { op: 'add', path: '/metadata/labels', value: { p: 'q' } },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidError);
    const ok = await kube.jsonPatch(ironcore.Network, 'default', 'jp-1', [
      { op: 'test', path: '/metadata/resourceVersion', value: obj.metadata.resourceVersion },
      { op: 'add', path: '/metadata/labels', value: { p: 'q' } },
    ]);
    expect(ok.metadata.labels).toEqual({ p: 'q' });
  });

  it('list pages with limit/continue, and listAll walks every page', async () => {
    for (let i = 0; i < 7; i++) await kube.apply(ironcore.Network, network(`page-${i}`, { set: 'paging' }), { fieldManager: MANAGER });
    const first = await kube.list(ironcore.Network, { namespace: 'default', labelSelector: 'set=paging', limit: 3 });
    expect(first.items).toHaveLength(3);
    expect(first.metadata.continue).toBeTruthy();
    const names: string[] = [];
    for await (const n of kube.listAll(ironcore.Network, { namespace: 'default', labelSelector: 'set=paging', limit: 2 })) names.push(n.metadata.name!);
    expect(names.sort()).toEqual(Array.from({ length: 7 }, (_, i) => `page-${i}`));
    const one = await kube.list(ironcore.Network, { namespace: 'default', fieldSelector: 'metadata.name=page-3' });
    expect(one.items.map((n) => n.metadata.name)).toEqual(['page-3']);
  });

  it('delete honours uid/resourceVersion preconditions and reports finalizer-pending deletes', async () => {
    const obj = await kube.apply(ironcore.Network, network('del-1'), { fieldManager: MANAGER });
    const wrongUid = await kube.delete(ironcore.Network, 'default', 'del-1', { preconditions: { uid: 'not-the-uid' } }).catch((e: unknown) => e);
    expect(wrongUid).toBeInstanceOf(ConflictError);
    expect((wrongUid as ConflictError).message).toMatch(/^delete Network default\/del-1/);
    expect(await kube.get(ironcore.Network, 'default', 'del-1')).toBeDefined();
    expect(await kube.delete(ironcore.Network, 'default', 'del-1', { preconditions: { uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion }, propagationPolicy: 'Background' })).toEqual({ state: 'gone' });
    expect(await kube.get(ironcore.Network, 'default', 'del-1')).toBeUndefined();
    const missing = await kube.delete(ironcore.Network, 'default', 'del-1').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);

    await kube.apply(ironcore.Network, { ...network('del-2'), metadata: { namespace: 'default', name: 'del-2', finalizers: ['example.com/hold'] } }, { fieldManager: MANAGER });
    const pending = await kube.delete(ironcore.Network, 'default', 'del-2');
    expect(pending.state).toBe('deleting');
    if (pending.state === 'deleting') expect(pending.object.metadata.deletionTimestamp).toBeTruthy();
  });

  it('a wrong token → UnauthorizedError', async () => {
    const bad = createKubeClient(loadKubeConfig(emu.kubeconfig().replace(/token: .*/, 'token: wrong-token')));
    const err = await bad.get(ironcore.Network, 'default', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect((err as UnauthorizedError).code).toBe(401);
    expect((err as UnauthorizedError).message).toMatch(/^get Network default\/x: 401/);
  });

  it('429 and 5xx are retryable UnavailableErrors; a dead server too', async () => {
    const undo = emu.faults.inject({ verb: 'get', resource: 'networks', status: 429, count: 1 });
    const err = await kube.get(ironcore.Network, 'default', 'x').catch((e: unknown) => e);
    undo();
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as UnavailableError).retryable).toBe(true);
    const dead = createKubeClient(loadKubeConfig(emu.kubeconfig().replace(`127.0.0.1:${new URL(emu.url).port}`, '127.0.0.1:1')), { timeoutMs: 2000 });
    const down = await dead.list(ironcore.Network, { namespace: 'default' }).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(UnavailableError);
    expect((down as UnavailableError).key).toBe('default/*');
  });

  it('loads the kubeconfig as YAML, base64 or a path, and caches one client per source', async () => {
    const b64 = Buffer.from(emu.kubeconfig()).toString('base64');
    const c1 = getKubeClient(b64);
    expect(getKubeClient(b64)).toBe(c1);
    expect(await c1.get(ironcore.Network, 'default', 'apply-1')).toBeDefined();
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(`${tmpdir()}/kc-`);
    await writeFile(`${dir}/config`, emu.kubeconfig());
    expect(await getKubeClient(`${dir}/config`).get(ironcore.Network, 'default', 'apply-1')).toBeDefined();
    expect(() => loadKubeConfig('/no/such/file', 'IRONCORE_KUBECONFIG')).toThrow(/IRONCORE_KUBECONFIG/);
  });
});
