/**
 * `npm start -- --ironcore-kubeconfig F --apinet-kubeconfig F` (ARCHITECTURE.md 8): the functions run
 * against clusters the stack did not start. Their API servers cannot reach the stack's loopback
 * webhooks, so no webhook is registered there and the resync (here every second) is the trigger.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type LocalStack } from '../../infra/local/stack/stack.ts';
import { apinet, apiVersionOf, core, ironcore } from '../../shared/api/resources.ts';
import { createKubeClient, loadKubeConfig, type KubeClient } from '../../shared/kube/index.ts';
import { kindReconcilers } from '../../shared/reconcile/index.ts';
import { startTestClusters, type TestClusters } from '../servers.ts';
import { until } from './helpers.ts';

let dir: string;
let clusters: TestClusters;
let ic: KubeClient;
let an: KubeClient;
const files = () => ({ ironcore: join(dir, 'given-ironcore.kubeconfig'), apinet: join(dir, 'given-apinet.kubeconfig') });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apinetlet-external-'));
  // Emulators, or real servers (npm run test:real) as the clusters "someone else" runs.
  clusters = await startTestClusters({ apinetNamespace: 'tenant-net' });
  const { ironcore: i, apinet: a } = clusters;
  await Promise.all([writeFile(files().ironcore, i.kubeconfig(), { mode: 0o600 }), writeFile(files().apinet, a.kubeconfig(), { mode: 0o600 })]);
  ic = createKubeClient(loadKubeConfig(i.kubeconfig()));
  an = createKubeClient(loadKubeConfig(a.kubeconfig()));
});
afterAll(async () => {
  await clusters?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('local stack against external clusters', () => {
  it('refuses to start when APINET_NAMESPACE does not exist there, saying how to fix it', async () => {
    await expect(
      startStack({ dir: join(dir, 'no-ns'), reconcilers: kindReconcilers, env: { APINET_NAMESPACE: 'missing' }, ironcoreKubeconfig: files().ironcore, apinetKubeconfig: files().apinet, logLevel: 'SILENT' }),
    ).rejects.toThrow(/no namespace "missing".*create namespace missing/);
  });

  it('reconciles objects of the given clusters, triggered by the resync, and registers no webhook there', async () => {
    let stack: LocalStack | undefined;
    try {
      stack = await startStack({
        dir: join(dir, 'run'),
        reconcilers: kindReconcilers,
        env: { APINET_NAMESPACE: 'tenant-net', APINETLET_RESYNC_INTERVAL: '1' },
        ironcoreKubeconfig: files().ironcore,
        apinetKubeconfig: files().apinet,
        logLevel: 'SILENT',
      });
      expect(stack.emulators).toBeUndefined();
      const info = JSON.parse(await readFile(join(dir, 'run', 'stack.json'), 'utf8'));
      expect(info.ironcore.server).toBe(clusters.ironcore.url);
      expect(info.apinet).toMatchObject({ server: clusters.apinet.url, namespace: 'tenant-net' });

      await ic.apply(core.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }, { fieldManager: 'test' });
      const vip = await ic.apply(
        ironcore.VirtualIP,
        { apiVersion: apiVersionOf(ironcore.VirtualIP), kind: 'VirtualIP', metadata: { name: 'vip', namespace: 'team' }, spec: { type: 'Public', ipFamily: 'IPv4' } },
        { fieldManager: 'test' },
      );
      const ip = await until('the apinet IP of the VirtualIP', () => an.get(apinet.IP, 'tenant-net', vip.metadata.uid!), 15_000);
      await until('VirtualIP status.ip', async () => ((await ic.get(ironcore.VirtualIP, 'team', 'vip'))?.status as { ip?: string } | undefined)?.ip === (ip.spec as { ip: string }).ip, 15_000);

      const registered = await ic.list({ group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingWebhookConfiguration', plural: 'validatingwebhookconfigurations', namespaced: false, hasStatus: false });
      expect(registered.items).toEqual([]);
    } finally {
      await stack?.stop();
    }
  }, 60_000);
});
