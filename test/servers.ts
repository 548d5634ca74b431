/**
 * Which API servers the cluster tests talk to: the emulator (default, Node only) or the real
 * servers of infra/real (`APINETLET_SERVERS=real`, what `npm run test:real` sets). Both come as a
 * `TestCluster` with the emulator's counters and fault injection; on real servers those live in a
 * counting front (infra/real/front.ts) that every test and function request passes through.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../infra/local/emulator/index.ts';
import { kubeconfigYaml } from '../infra/local/kubeconfig-yaml.ts';
import { startFront } from '../infra/real/front.ts';
import { startRealPair, type RealPair } from '../infra/real/pair.ts';

export type ServerTier = 'emulator' | 'real';

export function serverTier(): ServerTier {
  const v = (process.env.APINETLET_SERVERS ?? 'emulator').trim();
  if (v !== 'emulator' && v !== 'real') throw new Error(`APINETLET_SERVERS=${JSON.stringify(v)}: use "emulator" (default) or "real"`);
  return v;
}

export const onRealServers = () => serverTier() === 'real';

export type TestCluster = Pick<Emulator, 'url' | 'counters' | 'faults' | 'kubeconfig' | 'stop'>;

export interface TestClusters {
  tier: ServerTier;
  ironcore: TestCluster;
  apinet: TestCluster;
  /** What the functions authenticate with: the clusters' admin kubeconfig on the emulator, the
   *  service accounts bound by the shipped RBAC on real servers. */
  functionKubeconfigs: { ironcore: string; apinet: string };
  /** The real servers themselves (real tier only): processes, admin clients. */
  real?: RealPair;
  stop(): Promise<void>;
}

export async function startTestClusters(opts: { apinetNamespace: string; publicPools?: { IPv4?: string; IPv6?: string } }): Promise<TestClusters> {
  if (serverTier() === 'emulator') {
    const [ironcore, apinet] = await Promise.all([
      startEmulator({ flavour: 'ironcore', port: 0 }),
      startEmulator({ flavour: 'apinet', port: 0, namespaces: ['default', opts.apinetNamespace], publicPools: opts.publicPools }),
    ]);
    return {
      tier: 'emulator',
      ironcore,
      apinet,
      functionKubeconfigs: { ironcore: ironcore.kubeconfig(), apinet: apinet.kubeconfig() },
      stop: async () => void (await Promise.allSettled([ironcore.stop(), apinet.stop()])),
    };
  }
  if (opts.publicPools) throw new Error('custom public pools are an emulator setting; the real apinet server allocates from APINET_PUBLIC_PREFIXES');
  const dir = await mkdtemp(join(tmpdir(), 'apinetlet-real-'));
  const pair = await startRealPair({ dir, apinetNamespace: opts.apinetNamespace, testAdmin: true });
  const flavours = ['ironcore', 'apinet'] as const;
  const fronts = await Promise.all(flavours.map((f) => startFront(pair[f])));
  const viaFront = (i: 0 | 1, token: string) => kubeconfigYaml({ name: flavours[i], server: fronts[i]!.url, caPem: fronts[i]!.caPem, user: { token } });
  const handle = (i: 0 | 1): TestCluster => {
    const front = fronts[i]!;
    const yaml = viaFront(i, pair.adminTokens![flavours[i]]);
    return { url: front.url, counters: front.counters, faults: front.faults, kubeconfig: () => yaml, stop: () => front.stop() };
  };
  return {
    tier: 'real',
    ironcore: handle(0),
    apinet: handle(1),
    functionKubeconfigs: { ironcore: viaFront(0, pair.functionTokens.ironcore), apinet: viaFront(1, pair.functionTokens.apinet) },
    real: pair,
    stop: async () => {
      await Promise.allSettled(fronts.map((f) => f.stop()));
      await pair.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
