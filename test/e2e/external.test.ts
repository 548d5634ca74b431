/**
 * `npm start -- --ironcore-kubeconfig F --apinet-kubeconfig F` (ARCHITECTURE.md 8): the functions run
 * against clusters the stack did not start. Their API servers cannot reach the stack's loopback
 * webhooks, so no webhook is registered there and the resync (here every second) is the trigger.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../infra/local/emulator/index.ts';
import { startStack, type LocalStack } from '../../infra/local/stack/stack.ts';
import { apinet, apiVersionOf, core, ironcore } from '../../shared/api/resources.ts';
import { createKubeClient, loadKubeConfig, type KubeClient } from '../../shared/kube/index.ts';
import { kindReconcilers } from '../../shared/reconcile/index.ts';
import { until } from './helpers.ts';

let dir: string;
let clusters: { ironcore: Emulator; apinet: Emulator };
let ic: KubeClient;
let an: KubeClient;
const files = () => ({ ironcore: join(dir, 'given-ironcore.kubeconfig'), apinet: join(dir, 'given-apinet.kubeconfig') });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apinetlet-external-'));
  const [i, a] = await Promise.all([
    startEmulator({ flavour: 'ironcore', port: 0 }),
    startEmulator({ flavour: 'apinet', port: 0, namespaces: ['default', 'tenant-net'] }),
  ]);
  clusters = { ironcore: i, apinet: a };
  await Promise.all([i.writeKubeconfig(files().ironcore), a.writeKubeconfig(files().apinet)]);
  ic = createKubeClient(loadKubeConfig(i.kubeconfig()));
  an = createKubeClient(loadKubeConfig(a.kubeconfig()));
});
afterAll(async () => {
  await Promise.allSettled([clusters?.ironcore.stop(), clusters?.apinet.stop()]);
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
