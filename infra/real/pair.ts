/**
 * The two real clusters of the real tier side by side (ironcore and apinet), with the identities
 * the functions run as in production: a service account in each cluster, bound by nothing but the
 * RBAC that infra/kubernetes ships (its placeholders filled as an operator would).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import type { KubeClient, KubeObject } from '../../shared/kube/index.ts';
import { kubeconfigYaml } from '../local/kubeconfig-yaml.ts';
import { fillPlaceholders } from '../local/stack/webhooks.ts';
import { builtin, REAL_TIER_APPLY, realBinaries, startRealCluster, type RealCluster } from './cluster.ts';

const TEST_ADMIN = 'test-admin';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where the functions' service accounts live (their own namespace, in both clusters). */
export const FUNCTION_IDENTITY = { namespace: 'apinetlet-system', name: 'apinetlet' } as const;
export const FUNCTION_USER = `system:serviceaccount:${FUNCTION_IDENTITY.namespace}:${FUNCTION_IDENTITY.name}`;

export const RBAC_FILES = {
  ironcore: join(ROOT, 'infra/kubernetes/ironcore/rbac.yaml'),
  apinet: join(ROOT, 'infra/kubernetes/apinet/rbac.yaml'),
} as const;

export interface RealPair {
  ironcore: RealCluster;
  apinet: RealCluster;
  /** Kubeconfigs of the functions' service accounts (shipped RBAC only). */
  functions: { ironcore: string; apinet: string };
  /** Their bare tokens (for a kubeconfig through a front). */
  functionTokens: { ironcore: string; apinet: string };
  /** With `testAdmin`: tokens of a cluster-admin service account (tokens pass a TLS front; client certificates cannot). */
  adminTokens?: { ironcore: string; apinet: string };
  stop(): Promise<void>;
}

export interface RealPairOptions {
  /** Work directory: logs, certificates and etcd data of both clusters. */
  dir: string;
  apinetNamespace: string;
  /** Extra namespaces to create in both clusters (ironcore `default` always exists). */
  namespaces?: string[];
  /** Leave the RBAC of infra/kubernetes out (the RBAC tests apply their own variant). */
  skipRbac?: boolean;
  /** Also make a cluster-admin service account in each cluster (adminTokens). */
  testAdmin?: boolean;
  /** Users whose requests both kube-apiservers audit (RealCluster.auditLog). */
  auditUsers?: string[];
}

/** The RBAC documents of a manifest with the placeholders filled. */
export function rbacDocuments(text: string, vars: Record<string, string>, source: string): KubeObject[] {
  return (yaml.loadAll(fillPlaceholders(text, vars, source)) as KubeObject[]).filter((d) => d && typeof d === 'object');
}

export async function applyRbac(client: KubeClient, docs: KubeObject[], source: string): Promise<void> {
  for (const doc of docs) {
    const res = builtin[doc.kind as keyof typeof builtin];
    if (!res || !doc.apiVersion?.startsWith('rbac.authorization.k8s.io/')) throw new Error(`${source}: unexpected ${doc.kind}; only RBAC objects are expected there`);
    await client.apply(res, doc, REAL_TIER_APPLY);
  }
}

export function rbacVars(apinetNamespace: string): Record<string, string> {
  return { IRONCORE_USER: FUNCTION_USER, APINET_USER: FUNCTION_USER, APINET_NAMESPACE: apinetNamespace };
}

/** Starts side by side; if one fails, stops those that came up and rethrows the failure. */
export async function startAll<T extends { stop(): Promise<void> }>(starts: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(starts);
  const up = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value as T] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(up.map((x) => x.stop()));
    throw failed.reason;
  }
  return up;
}

export async function startRealPair(opts: RealPairOptions): Promise<RealPair> {
  const binDir = await realBinaries();
  await mkdir(opts.dir, { recursive: true });
  const [ironcore, apinet] = await startAll([
    startRealCluster({ flavour: 'ironcore', binDir, workDir: join(opts.dir, 'ironcore'), auditUsers: opts.auditUsers }),
    startRealCluster({ flavour: 'apinet', binDir, workDir: join(opts.dir, 'apinet'), auditUsers: opts.auditUsers }),
  ]);
  const stop = async () => {
    await Promise.all([ironcore.stop(), apinet.stop()]);
  };
  try {
    const ns = (c: RealCluster, name: string) => c.admin.apply(builtin.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, REAL_TIER_APPLY);
    await ns(apinet, opts.apinetNamespace);
    for (const name of opts.namespaces ?? []) await Promise.all([ns(ironcore, name), ns(apinet, name)]);
    if (!opts.skipRbac) {
      const vars = rbacVars(opts.apinetNamespace);
      for (const c of [ironcore, apinet]) {
        const file = RBAC_FILES[c.flavour];
        await applyRbac(c.admin, rbacDocuments(await readFile(file, 'utf8'), vars, file), file);
      }
    }
    const token = (c: RealCluster) => c.serviceAccountToken(FUNCTION_IDENTITY.namespace, FUNCTION_IDENTITY.name);
    const [ti, ta] = await Promise.all([token(ironcore), token(apinet)]);
    const functions = {
      ironcore: kubeconfigYaml({ name: 'ironcore', server: ironcore.url, caPem: ironcore.caPem, user: { token: ti } }),
      apinet: kubeconfigYaml({ name: 'apinet', server: apinet.url, caPem: apinet.caPem, user: { token: ta } }),
    };
    let adminTokens: RealPair['adminTokens'];
    if (opts.testAdmin) {
      const adminToken = async (c: RealCluster) => {
        const t = await c.serviceAccountToken(FUNCTION_IDENTITY.namespace, TEST_ADMIN);
        await c.admin.apply(builtin.ClusterRoleBinding, {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'apinetlet-test-admin' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
          subjects: [{ kind: 'ServiceAccount', namespace: FUNCTION_IDENTITY.namespace, name: TEST_ADMIN }],
        }, REAL_TIER_APPLY);
        return t;
      };
      const [ai, aa] = await Promise.all([adminToken(ironcore), adminToken(apinet)]);
      adminTokens = { ironcore: ai, apinet: aa };
    }
    return { ironcore, apinet, functions, functionTokens: { ironcore: ti, apinet: ta }, adminTokens, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
