/**
 * Once per test run: on the real tier (APINETLET_SERVERS=real) make sure the pinned servers are
 * built before any worker starts a cluster, and hand their directory to the workers.
 */
import { realBinaries } from '../infra/real/cluster.ts';
import { serverTier } from './servers.ts';

export default async function setup(): Promise<void> {
  if (serverTier() !== 'real') return;
  process.env.APINETLET_REAL_BIN = await realBinaries();
}
