/** The e2e bed: the whole local stack in-process, and a client built from the kubeconfig it wrote. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type LocalStack } from '../../infra/local/stack/stack.ts';
import type { Clusters } from '../../infra/local/stack/converge.ts';
import { createKubeClient, loadKubeConfig } from '../../shared/kube/index.ts';
import { kindReconcilers } from '../../shared/reconcile/index.ts';
import { onRealServers } from '../servers.ts';

export interface E2E {
  stack: LocalStack;
  /** Clients from DIR/ironcore.kubeconfig and DIR/apinet.kubeconfig, as a user of the stack would. */
  c: Clusters;
  dir: string;
  stop(): Promise<void>;
}

export async function startE2E(env: NodeJS.ProcessEnv = {}): Promise<E2E> {
  const dir = await mkdtemp(join(tmpdir(), 'apinetlet-e2e-'));
  const stack = await startStack({ dir, reconcilers: kindReconcilers, real: onRealServers(), env: { ...env }, logLevel: process.env.E2E_LOG_LEVEL ?? 'SILENT' });
  const c: Clusters = {
    ironcore: createKubeClient(loadKubeConfig(stack.info.ironcore.kubeconfig, 'ironcore kubeconfig')),
    apinet: createKubeClient(loadKubeConfig(stack.info.apinet.kubeconfig, 'apinet kubeconfig')),
    apinetNamespace: stack.info.apinet.namespace,
  };
  return {
    stack,
    c,
    dir,
    async stop() {
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
