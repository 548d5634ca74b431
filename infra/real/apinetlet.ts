/**
 * The Go apinetlet (ironcore-dev/ironcore-net cmd/apinetlet, built by build.sh at the release the
 * real servers run) on a real cluster pair: the controller users run today, for the differential
 * tests. It runs as its own service account in both clusters, bound to cluster-admin (its own RBAC
 * is the Go project's business; ours is proven minimal in test/real/rbac.test.ts).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { builtin, REAL_TIER_APPLY, type RealCluster } from './cluster.ts';
import type { RealPair } from './pair.ts';
import { startProcess, waitFor, type ServerProcess } from './processes.ts';

export const GO_APINETLET_IDENTITY = { namespace: 'apinetlet-system', name: 'go-apinetlet' } as const;
export const GO_APINETLET_USER = `system:serviceaccount:${GO_APINETLET_IDENTITY.namespace}:${GO_APINETLET_IDENTITY.name}`;

/** The six controllers of cmd/apinetlet; each logs "Starting workers" once its caches are synced. */
const CONTROLLERS = 6;

export interface GoApinetlet {
  process: ServerProcess;
  stop(): Promise<void>;
}

export interface GoApinetletOptions {
  binDir: string;
  pair: RealPair;
  apinetNamespace: string;
  /** Log and kubeconfig directory. */
  workDir: string;
  watchFilter?: string;
  disableNetworkPeering?: boolean;
  readyTimeoutMs?: number;
}

async function identity(c: RealCluster): Promise<string> {
  const kubeconfig = await c.serviceAccountKubeconfig(GO_APINETLET_IDENTITY.namespace, GO_APINETLET_IDENTITY.name);
  await c.admin.apply(
    builtin.ClusterRoleBinding,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'go-apinetlet' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', ...GO_APINETLET_IDENTITY }],
    },
    REAL_TIER_APPLY,
  );
  return kubeconfig;
}

export async function startGoApinetlet(opts: GoApinetletOptions): Promise<GoApinetlet> {
  const [ironcoreKc, apinetKc] = await Promise.all([identity(opts.pair.ironcore), identity(opts.pair.apinet)]);
  const files = { ironcore: join(opts.workDir, 'go-apinetlet-ironcore.kubeconfig'), apinet: join(opts.workDir, 'go-apinetlet-apinet.kubeconfig') };
  await Promise.all([writeFile(files.ironcore, ironcoreKc, { mode: 0o600 }), writeFile(files.apinet, apinetKc, { mode: 0o600 })]);
  const args = [
    `--kubeconfig=${files.ironcore}`,
    `--api-net-kubeconfig=${files.apinet}`,
    `--api-net-namespace=${opts.apinetNamespace}`,
    '--metrics-bind-address=0',
    '--health-probe-bind-address=0',
    '--zap-devel=false',
    '--zap-log-level=info',
  ];
  if (opts.watchFilter) args.push(`--watch-filter=${opts.watchFilter}`);
  if (opts.disableNetworkPeering) args.push('--disable-network-peering');
  const proc = startProcess('go-apinetlet', join(opts.binDir, 'apinetlet'), args, opts.workDir);
  try {
    await waitFor(
      `the Go apinetlet's ${CONTROLLERS} controllers`,
      async () => ((await readFile(proc.logFile, 'utf8')).match(/Starting workers/g)?.length ?? 0) >= CONTROLLERS,
      [proc],
      opts.readyTimeoutMs ?? 60_000,
    );
  } catch (err) {
    await proc.stop(2_000);
    throw err;
  }
  return { process: proc, stop: () => proc.stop(3_000) };
}
