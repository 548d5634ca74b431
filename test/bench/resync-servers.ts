/**
 * The servers of the resync benchmark, in their own process so that the benchmark's heap holds
 * only the resync (the emulators' stores and fauxqs' queues grow with the object count; the
 * resync must not). Starts one ironcore emulator per size, one apinet emulator and fauxqs with
 * the queues of serverless.yml; prints one JSON line with their addresses, then runs until killed.
 *
 * `node --import tsx test/bench/resync-servers.ts <ironcore count>`
 */
import { startEmulator } from '../../infra/local/emulator/index.ts';
import { startLocalSqs } from '../../infra/local/stack/queues.ts';

const count = Number(process.argv[2] ?? '1');
const ironcore = await Promise.all(Array.from({ length: count }, () => startEmulator({ flavour: 'ironcore', port: 0 })));
// BENCH_PUBLIC_POOL: a pool large enough for the benchmark's public addresses (the default /24 runs out at a few hundred).
const publicPool = process.env.BENCH_PUBLIC_POOL;
const apinet = await startEmulator({ flavour: 'apinet', port: 0, namespaces: ['default', 'apinet'], ...(publicPool ? { publicPools: { IPv4: publicPool } } : {}) });
const sqs = await startLocalSqs({ serverlessYmlPath: new URL('../../serverless.yml', import.meta.url).pathname });
console.log(JSON.stringify({ ironcore: ironcore.map((e) => e.kubeconfig()), apinet: apinet.kubeconfig(), endpoint: sqs.endpoint, queues: sqs.queues }));
const stop = async () => {
  await Promise.allSettled([...ironcore.map((e) => e.stop()), apinet.stop(), sqs.stop()]);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
