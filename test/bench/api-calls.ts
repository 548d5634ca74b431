/**
 * API calls per reconcile, per kind and cluster, counted by the emulators: the first reconcile of a
 * fresh object (finalizer added by the reconcile itself, as without the mutating webhook) and a no-op
 * reconcile of the converged object, over the convergence test's world (one namespace: peered
 * Networks, VirtualIP, NATGateway, public and internal LoadBalancers, NetworkPolicy, NetworkInterface
 * with its apinet NIC and VIP). A no-op must write nothing but server-side applies.
 *
 *   node --import tsx test/bench/api-calls.ts
 */
import { startHarness, measureApiCalls, type ApiCallCounts } from '../integration/harness.ts';
import { buildWorld, playAutoscaler } from '../integration/reconcile/world.ts';
import { kindReconcilers } from '../../shared/reconcile/index.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const h = await startHarness();
const world = await buildWorld(h, ['calls']);
// Dependencies first, so that each first reconcile does its full work (e.g. the policy needs the apinet Network).
const order = ['Network', 'VirtualIP', 'NATGateway', 'LoadBalancer', 'NetworkInterface', 'NetworkPolicy'];
const keys = [...world.keys].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));

const fmt = (c: ApiCallCounts) => `${c.total} (${Object.entries(c.byVerb).filter(([, n]) => n).map(([v, n]) => `${n} ${v}`).join(', ') || '-'}; non-apply writes ${c.nonApplyWrites})`;
const rows: string[] = [];
for (const k of keys) {
  const first = await measureApiCalls(h, () => h.reconcile(kindReconcilers[k.kind], k.namespace, k.name));
  rows.push(`| ${k.kind} ${k.name} | first | ${fmt(first.ironcore)} | ${fmt(first.apinet)} |`);
}
await playAutoscaler(h, world); // SIM-08, so the NAT gateway's status changes once more before the no-op pass
for (const k of keys) await h.reconcile(kindReconcilers[k.kind], k.namespace, k.name);
for (const k of keys) {
  const noop = await measureApiCalls(h, () => h.reconcile(kindReconcilers[k.kind], k.namespace, k.name));
  rows.push(`| ${k.kind} ${k.name} | no-op | ${fmt(noop.ironcore)} | ${fmt(noop.apinet)} |`);
}
console.log('| object | reconcile | ironcore calls | apinet calls |\n|---|---|---|---|\n' + rows.join('\n'));
await h.stop();
