/**
 * The two sides of the differential run, each on its own pair of real clusters: "go" runs the Go
 * apinetlet, "ts" this project's functions (the local stack on real servers: webhooks registered in
 * the clusters, SQS queues, the reconcile handlers). Both kube-apiservers of each side audit the
 * requests of that side's controller identity, so the servers themselves count what it sent.
 */
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { GO_APINETLET_USER, startGoApinetlet } from '../../infra/real/apinetlet.ts';
import { realBinaries } from '../../infra/real/cluster.ts';
import { FUNCTION_USER, startAll, startRealPair, type RealPair } from '../../infra/real/pair.ts';
import { startStack, type LocalStack } from '../../infra/local/stack/stack.ts';
import type { KubeClient } from '../../shared/kube/index.ts';
import { kindReconcilers } from '../../shared/reconcile/index.ts';

export type SideName = 'go' | 'ts';

export interface Side {
  name: SideName;
  ironcore: KubeClient;
  apinet: KubeClient;
  apinetNamespace: string;
  /** Requests the side's controller sent since the last call, per cluster and verb (audit log). */
  takeRequests(): Promise<Requests>;
  /** The scheduled resync, once (ts only): `drift` (every 5 min) or `full` (every 10 h). */
  resync?: (mode: 'drift' | 'full') => Promise<unknown>;
  stop(): Promise<void>;
}

export interface Requests {
  ironcore: Record<string, number>;
  apinet: Record<string, number>;
}

export const APINET_NAMESPACE = 'apinet';

/** Reads an audit log from where it stopped last time; counts the user's requests per verb. */
function auditReader(file: string, user: string) {
  let offset = 0;
  let rest = '';
  return async (): Promise<Record<string, number>> => {
    const counts: Record<string, number> = {};
    const fh = await open(file, 'r').catch(() => undefined);
    if (!fh) return counts;
    try {
      const { size } = await fh.stat();
      if (size <= offset) return counts;
      const buf = Buffer.alloc(size - offset);
      await fh.read(buf, 0, buf.length, offset);
      offset = size;
      const lines = (rest + buf.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (!line) continue;
        const e = JSON.parse(line) as { verb: string; user?: { username?: string } };
        if (e.user?.username !== user) continue;
        counts[e.verb] = (counts[e.verb] ?? 0) + 1;
      }
    } finally {
      await fh.close();
    }
    return counts;
  };
}

function requestsOf(pair: RealPair, user: string): () => Promise<Requests> {
  const ironcore = auditReader(pair.ironcore.auditLog!, user);
  const apinet = auditReader(pair.apinet.auditLog!, user);
  return async () => ({ ironcore: await ironcore(), apinet: await apinet() });
}

const CRD = { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false, hasStatus: true } as const;

/**
 * ironcore-net v0.3.0's apinetlet asks the *apinet* cluster's REST mapper for the kind of the
 * ironcore NetworkInterface when it claims an apinet NIC (its claim strategy reads the source
 * labels through the apinet client), so with ironcore and apinet on separate API servers every NIC
 * claim panics with `no matches for kind "NetworkInterface" in version
 * "networking.ironcore.dev/v1alpha1"`. It works where one API server serves both groups. To compare
 * the NIC behaviour at all, the Go side's apinet cluster gets a CRD of that kind (no objects are
 * ever stored in it): discovery then answers the mapping, as in a one-server installation.
 */
async function mappingShim(apinet: KubeClient): Promise<void> {
  await apinet.apply(
    CRD,
    {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'networkinterfaces.networking.ironcore.dev' },
      spec: {
        group: 'networking.ironcore.dev',
        scope: 'Namespaced',
        names: { kind: 'NetworkInterface', listKind: 'NetworkInterfaceList', plural: 'networkinterfaces', singular: 'networkinterface' },
        versions: [{ name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    },
    { fieldManager: 'differential-setup' },
  );
  for (let i = 0; i < 100; i++) {
    const crd = await apinet.get(CRD, undefined, 'networkinterfaces.networking.ironcore.dev');
    const established = ((crd?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
    if (established) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the NetworkInterface mapping CRD in the Go side\'s apinet cluster did not become Established within 10 s');
}

export async function startSides(dir: string): Promise<{ go: Side; ts: Side; stop(): Promise<void> }> {
  const binDir = await realBinaries();
  await mkdir(dir, { recursive: true });
  const [goPair, tsPair] = await startAll([
    startRealPair({ dir: join(dir, 'go'), apinetNamespace: APINET_NAMESPACE, auditUsers: [GO_APINETLET_USER], skipRbac: true }),
    startRealPair({ dir: join(dir, 'ts'), apinetNamespace: APINET_NAMESPACE, auditUsers: [FUNCTION_USER] }),
  ]);
  let stack: LocalStack | undefined;
  try {
    if (process.env.DIFF_NO_SHIM !== '1') await mappingShim(goPair.apinet.admin);
    const go = await startGoApinetlet({ binDir, pair: goPair, apinetNamespace: APINET_NAMESPACE, workDir: join(dir, 'go') });
    stack = await startStack({
      dir: join(dir, 'ts', 'stack'),
      reconcilers: kindReconcilers,
      real: tsPair,
      // As the Go side runs it: ironcore-net's controller-manager autoscales NAT gateways; the resync
      // runs when the run asks (at-rest measurement), not on a timer in the middle of an operation.
      env: { APINET_NAMESPACE, NAT_AUTOSCALING: 'false', APINETLET_RESYNC_INTERVAL: '86400', APINETLET_FULL_RESYNC_INTERVAL: '86400' },
      logLevel: process.env.DIFF_LOG_LEVEL ?? 'SILENT',
    });
    const s = stack;
    const goSide: Side = {
      name: 'go',
      ironcore: goPair.ironcore.admin,
      apinet: goPair.apinet.admin,
      apinetNamespace: APINET_NAMESPACE,
      takeRequests: requestsOf(goPair, GO_APINETLET_USER),
      stop: async () => {
        await go.stop();
        await goPair.stop();
      },
    };
    const tsSide: Side = {
      name: 'ts',
      ironcore: tsPair.ironcore.admin,
      apinet: tsPair.apinet.admin,
      apinetNamespace: APINET_NAMESPACE,
      takeRequests: requestsOf(tsPair, FUNCTION_USER),
      resync: (mode) => s.resyncNow(mode),
      stop: async () => {
        await s.stop();
        await tsPair.stop();
      },
    };
    return { go: goSide, ts: tsSide, stop: async () => void (await Promise.all([goSide.stop(), tsSide.stop()])) };
  } catch (err) {
    await stack?.stop();
    await Promise.all([goPair.stop(), tsPair.stop()]);
    throw err;
  }
}
