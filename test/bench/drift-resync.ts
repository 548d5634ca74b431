/**
 * Drift resync at scale (issue 12): N converged ironcore objects of all six kinds, then one
 * drift-only run (the 5-min schedule) and, as the baseline in the same run, one every-key run
 * (the 10-h safety net) over the same clusters. Reports duration, LISTs and messages per run and
 * the live heap the run adds at its peak (GC'd heap samples every 50 ms) and the process maxRSS.
 *
 * The servers (two emulators, fauxqs) run in a child process (resync-servers.ts), and each resync
 * run in one more (resync-once.ts), so a run's maxRSS is its own, not the seeding's. The apinet
 * side is made by the reconcile path itself (runReconcile per key, 16 in flight, no SQS and no webhooks): the same objects the functions
 * would make, without the per-object queue round trips that made the stack's setup slow.
 *
 *   node --import tsx test/bench/drift-resync.ts 1000 [--json F]
 *   BENCH_NAMESPACES=500 node --import tsx test/bench/drift-resync.ts 50000 --json F
 *   BENCH_SEED=ironcore-only node --import tsx test/bench/drift-resync.ts 50000   (worst case: nothing converged)
 *
 * A set of 10 objects: 1 Network, 4 VirtualIPs, 1 NATGateway, 1 LoadBalancer, 1 NetworkPolicy
 * (selecting the set's NICs), 2 NetworkInterfaces (apinet NIC made as the machine pool does; one
 * claims a VirtualIP).
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { Logger } from '@aws-lambda-powertools/logger';
import { formatNetworkInterfaceProviderId } from '../../shared/api/provider-id.ts';
import { apinet as apinetRes, core, ironcore as ironcoreRes, type PrimaryKind } from '../../shared/api/resources.ts';
import { createKubeClient, loadKubeConfig, type KubeClient } from '../../shared/kube/index.ts';
import { kindReconcilers } from '../../shared/reconcile/index.ts';
import { runReconcile, type ReconcileEnv } from '../../shared/reconcile/runtime.ts';
import { forEachBounded } from '../../shared/resync/pool.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const N = Number(process.argv[2] ?? 1000);
const jsonOut = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : undefined;
const SETS = Math.max(1, Math.round(N / 10));
// 10 namespaces by default (the 1,000 and 10,000 runs). BENCH_NAMESPACES spreads the sets wider: a
// NIC's reconcile LISTs the VirtualIPs of its namespace, so seeding 5,000 sets into 10 namespaces
// would cost O(N²) reads; the resync itself LISTs cluster-wide and does not care.
const NAMESPACES = Math.max(1, Math.min(Number(process.env.BENCH_NAMESPACES ?? 10), SETS));
const API = 'networking.ironcore.dev/v1alpha1';
const APINET = 'core.apinet.ironcore.dev/v1alpha1';
const ANS = 'apinet';

// Public addresses for 4 VIPs + 1 LB + NAT IPs per set: a /12 instead of the emulator's default pool.
const child = spawn(process.execPath, ['--max-old-space-size=12288', '--import', 'tsx', new URL('./resync-servers.ts', import.meta.url).pathname, '1'], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, BENCH_PUBLIC_POOL: process.env.BENCH_PUBLIC_POOL ?? '100.64.0.0/12' },
});
const line = await new Promise<string>((resolve, reject) => {
  createInterface({ input: child.stdout! }).once('line', resolve);
  child.once('exit', (code) => reject(new Error(`benchmark servers exited with ${code} before they were ready`)));
});
const servers = JSON.parse(line) as { ironcore: string[]; apinet: string; endpoint: string; queues: Record<PrimaryKind, string> };
const ic: KubeClient = createKubeClient(loadKubeConfig(servers.ironcore[0]!, 'ironcore'));
const an: KubeClient = createKubeClient(loadKubeConfig(servers.apinet, 'apinet'));
const env: ReconcileEnv = { ironcore: ic, apinet: an, settings: { apinetNamespace: ANS, nodeAffinityAware: false, peeringDisabled: false } as never, now: () => new Date() };
const ctx = { logger: new Logger({ logLevel: 'SILENT' }), receiveCount: 1, messageId: 'bench' };
const keys: { kind: PrimaryKind; namespace: string; name: string }[] = [];

// BENCH_SEED=ironcore-only: only the ironcore objects, nothing reconciled (fast to seed at 50,000):
// the worst case for a drift run (every key in drift), not the at-rest case.
const ironcoreOnly = process.env.BENCH_SEED === 'ironcore-only';

async function reconcileAll(kind: PrimaryKind, passes = 2): Promise<void> {
  if (ironcoreOnly) return;
  const ks = keys.filter((k) => k.kind === kind);
  for (let p = 0; p < passes; p++) {
    await forEachBounded(ks, 16, async (k) => {
      await runReconcile(kindReconcilers[kind] as never, env, { v: 1, kind, namespace: k.namespace, name: k.name, source: 'resync', run: `seed-${p}` }, ctx as never).catch(() => undefined);
    });
  }
}

const apply = (kind: PrimaryKind, ns: string, name: string, spec: Record<string, unknown>, labels?: Record<string, string>) => {
  keys.push({ kind, namespace: ns, name });
  return ic.apply(ironcoreRes[kind], { apiVersion: API, kind, metadata: { namespace: ns, name, ...(labels ? { labels } : {}) }, spec }, { fieldManager: 'bench' });
};

const t0 = performance.now();
for (let i = 0; i < NAMESPACES; i++) await ic.apply(core.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${i}` } }, { fieldManager: 'bench' });
const sets = Array.from({ length: SETS }, (_, i) => i);
// Networks first (everything names one), then their apinet Networks by the reconcile path.
await forEachBounded(sets, 16, (i) => apply('Network', `ns-${i % NAMESPACES}`, `net-${i}`, {}).then(() => undefined));
await reconcileAll('Network');
await forEachBounded(sets, 16, async (i) => {
  const ns = `ns-${i % NAMESPACES}`;
  const networkRef = { name: `net-${i}` };
  for (let v = 0; v < 4; v++) await apply('VirtualIP', ns, `vip-${i}-${v}`, { type: 'Public', ipFamily: 'IPv4' });
  await apply('NATGateway', ns, `natgw-${i}`, { type: 'Public', ipFamily: 'IPv4', networkRef });
  await apply('LoadBalancer', ns, `lb-${i}`, { type: 'Public', ipFamilies: ['IPv4'], networkRef, ports: [{ protocol: 'TCP', port: 80 }] });
  await apply('NetworkPolicy', ns, `np-${i}`, {
    networkRef,
    networkInterfaceSelector: { matchLabels: { app: `web-${i}` } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 80 }] }],
  });
});
await reconcileAll('VirtualIP');
await forEachBounded(sets, 16, async (i) => {
  const ns = `ns-${i % NAMESPACES}`;
  const net = await ic.get(ironcoreRes.Network, ns, `net-${i}`);
  for (let n = 0; n < 2; n++) {
    const ip = `10.${(i >> 8) & 255}.${i & 255}.${10 + n}`;
    if (ironcoreOnly) {
      await apply('NetworkInterface', ns, `nic-${i}-${n}`, { networkRef: { name: `net-${i}` }, ipFamilies: ['IPv4'], ips: [{ value: ip }], ...(n === 0 ? { virtualIP: { virtualIPRef: { name: `vip-${i}-0` } } } : {}) }, { app: `web-${i}` });
      continue;
    }
    const anic = await an.apply(
      apinetRes.NetworkInterface,
      { apiVersion: APINET, kind: 'NetworkInterface', metadata: { name: `anic-${i}-${n}`, namespace: ANS }, spec: { nodeRef: { name: 'node-1' }, networkRef: { name: net!.metadata.uid! }, ips: [ip] } },
      { fieldManager: 'machinepoollet' },
    );
    await an.mergePatch(apinetRes.NetworkInterface, ANS, anic.metadata.name!, { status: { state: 'Ready' } }, { subresource: 'status', fieldManager: 'metalnetlet' });
    const providerID = formatNetworkInterfaceProviderId({ namespace: ANS, name: anic.metadata.name!, node: 'node-1', uid: anic.metadata.uid! });
    await apply('NetworkInterface', ns, `nic-${i}-${n}`, { networkRef: { name: `net-${i}` }, ipFamilies: ['IPv4'], ips: [{ value: ip }], providerID, ...(n === 0 ? { virtualIP: { virtualIPRef: { name: `vip-${i}-0` } } } : {}) }, { app: `web-${i}` });
  }
});
for (const kind of ['NATGateway', 'LoadBalancer', 'NetworkInterface', 'NetworkPolicy', 'VirtualIP', 'Network'] as const) await reconcileAll(kind);
const setupMs = performance.now() - t0;

/** One resync run in a fresh process (resync-once.ts): its maxRSS is the run's, as in one Lambda invocation. */
async function measured(mode: 'drift' | 'full') {
  const run = spawn(process.execPath, ['--import', 'tsx', new URL('./resync-once.ts', import.meta.url).pathname, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_SERVERS: line, BENCH_APINET_NAMESPACE: ANS },
  });
  let out = '';
  run.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  const code = await new Promise<number | null>((resolve) => run.once('exit', resolve));
  if (code !== 0) throw new Error(`resync-once.ts ${mode} exited with ${code}: ${out}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as { mode: string; ms: number; addedHeapMB: number; rssBeforeMB: number; peakRssMB: number; messages: number; requests: unknown; drift: Record<string, unknown>; errors: string[] };
}

console.error(`seeded ${keys.length} ironcore objects in ${(setupMs / 1000).toFixed(1)} s; resync runs`);
const drift = await measured('drift');
const full = await measured('full');
const listed = keys.length;
const cpu = cpus()[0]?.model ?? 'unknown';
console.log(`\n${listed} ironcore objects (${SETS} sets${ironcoreOnly ? ', ironcore only: nothing reconciled, every key in drift' : ''}), setup ${(setupMs / 1000).toFixed(1)} s; ${cpus().length} × ${cpu}, Node ${process.version}`);
console.log('| run | duration (s) | requests ironcore / apinet | messages | live heap added at peak (MB) | run process maxRSS (MB; before the run) | drift keys |');
console.log('|---|---:|---:|---:|---:|---:|---|');
for (const r of [drift, full]) {
  const d = Object.entries(r.drift).flatMap(([k, v]) => Object.entries(v as Record<string, number>).map(([why, n]) => `${k} ${why} ${n}`)).join(', ') || '—';
  console.log(`| ${r.mode} | ${(r.ms / 1000).toFixed(2)} | ${JSON.stringify(r.requests)} | ${r.messages} | ${r.addedHeapMB.toFixed(1)} | ${r.peakRssMB.toFixed(0)} (${r.rssBeforeMB.toFixed(0)}) | ${d} |`);
  if (r.errors.length) console.log(`errors (${r.mode}): ${r.errors.join('; ')}`);
}
if (jsonOut) await writeFile(jsonOut, JSON.stringify({ objects: listed, ironcoreOnly, setupMs, drift, full, cpu, cpus: cpus().length, node: process.version }, null, 2));

child.kill('SIGTERM');
process.exit(0);
