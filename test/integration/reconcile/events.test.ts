/**
 * Kubernetes Events on the ironcore object (shared/reconcile/events.ts) over real HTTP: what
 * `kubectl describe` lists (core/v1 Events selected by involvedObject), the failure reasons, the
 * transitions, client-go-like deduplication (a retry counts on the one Event), an Event write that
 * fails never failing the reconcile, and the shipped RBAC covering every Events request made.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { apinet, apiVersionOf, core, ironcore, type PrimaryKind } from '../../../shared/api/resources.ts';
import type { KubeObject } from '../../../shared/kube/types.ts';
import type { QueueMessage } from '../../../shared/queue/message.ts';
import { kindReconcilers } from '../../../shared/reconcile/index.ts';
import { runReconcile, type ReconcileEnv } from '../../../shared/reconcile/runtime.ts';
import { startHarness, testReconcileContext, type Harness } from '../harness.ts';
import { ANS, nicFixtures } from './networkinterface-fixtures.ts';

type Ev = KubeObject & { reason: string; type: string; message: string; count: number; involvedObject: Record<string, string>; source: { component: string } };

let h: Harness;
let f: ReturnType<typeof nicFixtures>;
beforeAll(async () => {
  h = await startHarness();
  f = nicFixtures(h);
}, 60_000);
afterAll(async () => h?.stop());

const namespace = async (prefix: string) => {
  const ns = `${prefix}-${randomUUID().slice(0, 6)}`;
  await h.namespace(ns);
  return ns;
};

/** What `kubectl describe` asks for: the Events whose involvedObject is the object. */
async function eventsOf(obj: KubeObject, kind: string): Promise<Ev[]> {
  const m = obj.metadata;
  const list = await h.ironcore.list<Ev>(core.Event, {
    namespace: m.namespace,
    fieldSelector: `involvedObject.name=${m.name},involvedObject.namespace=${m.namespace},involvedObject.kind=${kind},involvedObject.uid=${m.uid}`,
  });
  return list.items;
}
const byReason = (events: Ev[], reason: string) => events.filter((e) => e.reason === reason);

/** One reconcile straight through the shell, as a delivery would run it; returns its error, if any. */
async function reconcileOnce(kind: PrimaryKind, ns: string, name: string, env: ReconcileEnv = h.env): Promise<Error | undefined> {
  const msg: QueueMessage = { v: 1, kind, namespace: ns, name, source: 'resync', run: randomUUID() };
  try {
    await runReconcile(kindReconcilers[kind] as never, env, msg, { ...testReconcileContext(), receiveCount: 5 });
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

/** Every request the recorder makes on events answers 500 (the test's own LIST still works). */
function failEventWrites(): () => void {
  const stops = ['get', 'create', 'patch'].map((verb) => h.ironcoreEmulator.faults.inject({ verb, resource: 'events', status: 500 }));
  return () => stops.forEach((stop) => stop());
}

const network = (ns: string, name: string) =>
  h.ironcore.apply(ironcore.Network, { apiVersion: apiVersionOf(ironcore.Network), kind: 'Network', metadata: { namespace: ns, name }, spec: {} }, { fieldManager: 'test' });

describe('Kubernetes Events on the ironcore object', () => {
  it('transitions: ProjectionCreated and ProviderIDSet on the first reconcile, nothing more on a converged one, ProjectionDeleted on delete', async () => {
    const ns = await namespace('ev-t');
    const net = await network(ns, 'net');
    expect(await reconcileOnce('Network', ns, 'net')).toBeUndefined();
    const events = await eventsOf(net, 'Network');
    const created = byReason(events, 'ProjectionCreated');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      type: 'Normal',
      count: 1,
      message: `created apinet Network ${ANS}/${net.metadata.uid}`,
      source: { component: 'apinetlet' },
      involvedObject: { apiVersion: 'networking.ironcore.dev/v1alpha1', kind: 'Network', namespace: ns, name: 'net', uid: net.metadata.uid },
    });
    expect(created[0]!.involvedObject.resourceVersion).toMatch(/^\d+$/);
    const providerID = ((await h.ironcore.get(ironcore.Network, ns, 'net'))!.spec as { providerID: string }).providerID;
    expect(byReason(events, 'ProviderIDSet')).toMatchObject([{ type: 'Normal', count: 1, message: `set spec.providerID to ${providerID}` }]);

    // Converged: no transition, no new Event, no count moving.
    expect(await reconcileOnce('Network', ns, 'net')).toBeUndefined();
    expect((await eventsOf(net, 'Network')).map((e) => [e.reason, e.count]).sort()).toEqual([['ProjectionCreated', 1], ['ProviderIDSet', 1]]);

    // Delete: the projection goes (at once on the emulator, a moment later on real servers), then the finalizer.
    await h.ironcore.delete(ironcore.Network, ns, 'net');
    for (let i = 0; i < 40 && (await h.ironcore.get(ironcore.Network, ns, 'net')); i++) {
      expect(await reconcileOnce('Network', ns, 'net')).toBeUndefined();
      if (i > 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(await h.ironcore.get(ironcore.Network, ns, 'net')).toBeUndefined();
    expect(byReason(await eventsOf(net, 'Network'), 'ProjectionDeleted')).toMatchObject([{ type: 'Normal', count: 1, message: 'deleted the apinet projection; removing the finalizer' }]);
  });

  it('a failing apply records a Warning ApplyFailed with the server message; retries count on that one Event (client-go dedup)', async () => {
    const ns = await namespace('ev-f');
    const net = await network(ns, 'net');
    const stop = h.apinetEmulator.faults.inject({ verb: 'patch', resource: 'networks', status: 500 });
    try {
      for (let i = 0; i < 3; i++) expect((await reconcileOnce('Network', ns, 'net'))?.message).toMatch(/apply of apinet Network/);
    } finally {
      stop();
    }
    const failed = byReason(await eventsOf(net, 'Network'), 'ApplyFailed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ type: 'Warning', count: 3 });
    // The message names the key, the step and what the server answered (the emulator's 500 Status message).
    expect(failed[0]!.message).toMatch(new RegExp(`^${ns}/net: apply: apply of apinet Network ${ANS}/${net.metadata.uid} failed: .+`));
    expect(failed[0]!.message).toMatch(/internal error|fault|500/i);
    expect(Date.parse((failed[0] as unknown as { lastTimestamp: string }).lastTimestamp)).toBeGreaterThanOrEqual(
      Date.parse((failed[0] as unknown as { firstTimestamp: string }).firstTimestamp),
    );

    // Recovered: a transition, and the Warning stays as it was (count 3).
    expect(await reconcileOnce('Network', ns, 'net')).toBeUndefined();
    const after = await eventsOf(net, 'Network');
    expect(byReason(after, 'ApplyFailed')[0]!.count).toBe(3);
    expect(byReason(after, 'ProjectionCreated')).toHaveLength(1);
  });

  it('the apinet server rejecting a write (SRV-05) is a Warning naming the server\'s message', async () => {
    const ns = await f.namespace();
    const { vip } = await f.virtualIP(ns, 'vip');
    await h.apinet.delete(apinet.IP, ANS, vip.metadata.uid!);
    const anic = await f.apinetNic(`rej-${randomUUID().slice(0, 6)}`);
    const nic = await f.nic(ns, 'nic', { providerID: f.providerId(anic), virtualIP: { virtualIPRef: { name: 'vip' } } });
    const err = await reconcileOnce('NetworkInterface', ns, 'nic');
    expect(err).toBeDefined();
    const warnings = (await eventsOf(nic, 'NetworkInterface')).filter((e) => e.type === 'Warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toBe(err!.message.slice(0, 1024));
    // The server's own words (apinet IP missing) are in it, not only ours.
    expect(warnings[0]!.message).toMatch(/failed: .*ip/i);
  });

  it('NetworkNotFound on a NATGateway and a LoadBalancer without their Network; NotClaimable on a NIC naming another NIC\'s apinet NIC', async () => {
    const ns = await namespace('ev-w');
    const gw = await h.ironcore.apply(
      ironcore.NATGateway,
      { apiVersion: apiVersionOf(ironcore.NATGateway), kind: 'NATGateway', metadata: { namespace: ns, name: 'gw' }, spec: { type: 'Public', ipFamily: 'IPv4', networkRef: { name: 'missing' } } },
      { fieldManager: 'test' },
    );
    const lb = await h.ironcore.apply(
      ironcore.LoadBalancer,
      { apiVersion: apiVersionOf(ironcore.LoadBalancer), kind: 'LoadBalancer', metadata: { namespace: ns, name: 'lb' }, spec: { type: 'Public', ipFamilies: ['IPv4'], networkRef: { name: 'missing' } } },
      { fieldManager: 'test' },
    );
    for (let i = 0; i < 2; i++) {
      expect(await reconcileOnce('NATGateway', ns, 'gw')).toBeUndefined();
      expect(await reconcileOnce('LoadBalancer', ns, 'lb')).toBeUndefined();
    }
    expect(await eventsOf(gw, 'NATGateway')).toMatchObject([{ type: 'Warning', reason: 'NetworkNotFound', count: 2, message: `ironcore Network ${ns}/missing not found; nothing applied` }]);
    expect(await eventsOf(lb, 'LoadBalancer')).toMatchObject([{ type: 'Warning', reason: 'NetworkNotFound', count: 2 }]);

    const nicNs = await f.namespace();
    const anic = await f.apinetNic(`taken-${randomUUID().slice(0, 6)}`);
    const first = await f.nic(nicNs, 'first', { providerID: f.providerId(anic) });
    const second = await f.nic(nicNs, 'second', { providerID: f.providerId(anic) });
    expect(await reconcileOnce('NetworkInterface', nicNs, 'first')).toBeUndefined();
    expect(await reconcileOnce('NetworkInterface', nicNs, 'second')).toBeUndefined();
    expect(byReason(await eventsOf(first, 'NetworkInterface'), 'Claimed')).toMatchObject([{ type: 'Normal', message: `claimed apinet NetworkInterface ${ANS}/${anic.metadata.name}` }]);
    const refused = await eventsOf(second, 'NetworkInterface');
    expect(refused).toMatchObject([{ type: 'Warning', reason: 'NotClaimable', count: 1 }]);
    expect(refused[0]!.message).toBe(
      `apinet NetworkInterface ${ANS}/${anic.metadata.name} named by spec.providerID is claimed by NetworkInterface ${nicNs}/first (uid ${first.metadata.uid}); it is not taken over`,
    );
  });

  it('an Event that cannot be written never fails the reconcile: it is reported and the reconcile converges', async () => {
    const ns = await namespace('ev-e');
    const net = await network(ns, 'net');
    const seen: string[] = [];
    const env: ReconcileEnv = { ...h.env, events: { onError: (err, spec) => seen.push(`${spec.reason}: ${(err as Error).message}`) } };
    const stop = failEventWrites();
    try {
      expect(await reconcileOnce('Network', ns, 'net', env)).toBeUndefined();
    } finally {
      stop();
    }
    expect(seen.map((s) => s.split(':')[0]).sort()).toEqual(['ProjectionCreated', 'ProviderIDSet']);
    expect(await h.apinet.get(apinet.Network, ANS, net.metadata.uid!)).toBeDefined();
    expect(await eventsOf(net, 'Network')).toEqual([]);
    // And a failing reconcile still fails with its own error, not the Event's.
    const stopApply = h.apinetEmulator.faults.inject({ verb: 'patch', resource: 'networks', status: 500, count: 1 });
    const stopEvents = failEventWrites();
    try {
      const net2 = await network(ns, 'net2');
      expect((await reconcileOnce('Network', ns, 'net2', env))?.message).toMatch(/apply of apinet Network/);
      expect(await eventsOf(net2, 'Network')).toEqual([]);
    } finally {
      stopApply();
      stopEvents();
    }
  });

  it('RBAC: every Events request the recorder makes is a verb the shipped ironcore rule grants on events', async () => {
    const docs = yaml.loadAll(readFileSync(new URL('../../../infra/kubernetes/ironcore/rbac.yaml', import.meta.url), 'utf8').replace('${IRONCORE_USER}', 'u')) as { rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }[];
    const rules = docs.flatMap((d: { rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }) => d.rules ?? []);
    const granted = new Set(rules.filter((r) => r.apiGroups.includes('') && r.resources.includes('events')).flatMap((r) => r.verbs));
    expect([...granted].sort()).toEqual(['create', 'get', 'patch']);

    const ns = await namespace('ev-r');
    await network(ns, 'net');
    h.ironcoreEmulator.counters.reset();
    const stop = h.apinetEmulator.faults.inject({ verb: 'patch', resource: 'networks', status: 500, count: 2 });
    try {
      for (let i = 0; i < 3; i++) await reconcileOnce('Network', ns, 'net'); // two failures (create, then patch) and the transitions
    } finally {
      stop();
    }
    const used = Object.entries(h.ironcoreEmulator.counters.snapshot())
      .filter(([k, n]) => n > 0 && k.endsWith(' events'))
      .map(([k]) => k.split(' ')[0]!);
    expect(new Set(used)).toEqual(new Set(['get', 'create', 'patch']));
    for (const verb of used) expect(granted.has(verb), `verb ${verb} on events`).toBe(true);
  });

  it.skipIf(!existsSync('/usr/bin/kubectl'))('kubectl describe lists them under Events:', async () => {
    const ns = await namespace('ev-k');
    const net = await network(ns, 'net');
    const stop = h.apinetEmulator.faults.inject({ verb: 'patch', resource: 'networks', status: 500, count: 2 });
    try {
      for (let i = 0; i < 3; i++) await reconcileOnce('Network', ns, 'net');
    } finally {
      stop();
    }
    const dir = await mkdtemp(join(tmpdir(), 'events-kubectl-'));
    try {
      await writeFile(join(dir, 'kubeconfig'), h.ironcoreEmulator.kubeconfig());
      const out = await new Promise<string>((resolve, reject) =>
        execFile(
          '/usr/bin/kubectl',
          ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), '--request-timeout', '20s', 'describe', 'networks.networking.ironcore.dev', 'net', '-n', ns],
          { env: { ...process.env, HOME: dir } },
          (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
        ),
      );
      const section = out.slice(out.indexOf('Events:'));
      expect(section).toMatch(/Warning\s+ApplyFailed\s+.*\(x2 over .*\)\s+apinetlet\s+.*apply of apinet Network/);
      expect(section).toMatch(/Normal\s+ProjectionCreated\s+.*apinetlet\s+created apinet Network/);
      expect(section).toMatch(/Normal\s+ProviderIDSet\s+/);
      void net;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
