/**
 * Drift-only resync on the whole local stack (issue 12), counting requests at the emulators: at
 * rest a run sends only LISTs (one per page, kind and cluster) and no SQS message; after events
 * were lost, the next run sends exactly the drifted keys and the objects converge from them.
 * All six kinds: a Network, VirtualIPs, a LoadBalancer, a NATGateway, a NetworkPolicy selecting a
 * NetworkInterface, and that NIC claiming a VirtualIP (its apinet NIC made as the machine pool does).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type LocalStack } from '../../../infra/local/stack/stack.ts';
import { apinet, core, ironcore, PRIMARY_KINDS } from '../../../shared/api/resources.ts';
import type { KubeClient } from '../../../shared/kube/index.ts';
import { formatNetworkInterfaceProviderId } from '../../../shared/api/provider-id.ts';
import type { KubeObject } from '../../../shared/kube/types.ts';
import { parseQueueMessage, type QueueMessage } from '../../../shared/queue/message.ts';
import { kindReconcilers } from '../../../shared/reconcile/index.ts';
import { observe } from '../../../infra/local/stack/converge.ts';
import { simulateMachinePoolNic } from '../../../infra/local/stack/demo.ts';
import { keyOf, takeAll } from './helpers.ts';

const NS = 'drift';
const ANS = 'apinet';
let dir: string;
let stack: LocalStack;
let sqs: SQSClient;
let ic: KubeClient;
let an: KubeClient;

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every message on the queues, received with a short visibility timeout and not deleted. */
async function peekAll(client: SQSClient, queues: Record<string, string>): Promise<QueueMessage[]> {
  const out: QueueMessage[] = [];
  for (const url of Object.values(queues)) {
    for (let empties = 0; empties < 2; ) {
      const r = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 2 }));
      const msgs = r.Messages ?? [];
      if (msgs.length === 0) empties++;
      for (const m of msgs) {
        const parsed = parseQueueMessage(m.Body ?? '');
        if (!parsed.ok) throw new Error(`unparsable message ${m.Body}`);
        out.push(parsed.message);
      }
    }
  }
  return out;
}

const vipIp = async (name: string) => ((await ic.get(ironcore.VirtualIP, NS, name))?.status as { ip?: string } | undefined)?.ip;
const projectionOf = async (obj: KubeObject | undefined) => (obj ? an.get(apinet.IP, ANS, obj.metadata.uid!) : undefined);

/** Every VirtualIP's status.ip equals its apinet IP's spec.ip, and the Network is Available with a providerID. */
async function converged(): Promise<boolean> {
  for (const name of ['vip-0', 'vip-1', 'vip-2']) {
    const vip = await ic.get(ironcore.VirtualIP, NS, name);
    const ip = ((await projectionOf(vip))?.spec as { ip?: string } | undefined)?.ip;
    if (!ip || (vip?.status as { ip?: string } | undefined)?.ip !== ip) return false;
  }
  const net = await ic.get(ironcore.Network, NS, 'net');
  if (!(Boolean((net?.spec as { providerID?: string })?.providerID) && (net?.status as { state?: string } | undefined)?.state === 'Available')) return false;
  return (await othersConverged()) && (await sameIps(ironcore.NATGateway, apinet.NATGateway, 'natgw', false)) && (await sameIps(ironcore.LoadBalancer, apinet.LoadBalancer, 'lb', true));
}

/** The LB, NAT gateway, policy and NIC converged as the local stack's progress view says (converge.ts). */
async function othersConverged(): Promise<boolean> {
  const seen = await Promise.all(
    (['LoadBalancer', 'NATGateway', 'NetworkPolicy', 'NetworkInterface'] as const).map((kind) => observe({ ironcore: ic, apinet: an, apinetNamespace: ANS }, kind, NS, OTHERS[kind])),
  );
  if (!seen.every((p) => p.converged)) return false;
  // The NIC holds its VirtualIP: the VIP targets the NIC (R-NIC-05) and the apinet NIC carries its address.
  const vip = await ic.get(ironcore.VirtualIP, NS, 'vip-nic');
  const ip = (vip?.status as { ip?: string } | undefined)?.ip;
  const anic = await an.get(apinet.NetworkInterface, ANS, 'drift-nic');
  const publicIPs = ((anic?.spec as { publicIPs?: { ip?: string }[] } | undefined)?.publicIPs ?? []).map((p) => p.ip);
  return Boolean(ip) && (vip?.spec as { targetRef?: { name?: string } }).targetRef?.name === 'nic' && publicIPs.includes(ip);
}

/** status.ips of the ironcore object equals spec.ips[].ip of its projection (R-LB-01, R-NATGW-03); not empty when `nonEmpty`. */
async function sameIps(res: (typeof ironcore)[keyof typeof ironcore], proj: (typeof apinet)[keyof typeof apinet], name: string, nonEmpty: boolean): Promise<boolean> {
  const obj = await ic.get(res, NS, name);
  const p = obj && (await an.get(proj, ANS, obj.metadata.uid!));
  const want = ((p?.spec as { ips?: { ip?: string }[] } | undefined)?.ips ?? []).map((e) => e.ip);
  const have = (obj?.status as { ips?: string[] } | undefined)?.ips ?? [];
  return (!nonEmpty || want.length > 0) && want.every(Boolean) && JSON.stringify(want) === JSON.stringify(have);
}

const OTHERS = { LoadBalancer: 'lb', NATGateway: 'natgw', NetworkPolicy: 'np', NetworkInterface: 'nic' } as const;

const counters = () => ({ ironcore: stack.emulators!.ironcore.counters, apinet: stack.emulators!.apinet.counters });

/** Every request counted since the last reset is a LIST, at most `perResource` per resource. */
function onlyLists(c: { snapshot(): Record<string, number> }, perResource: number) {
  const snap = c.snapshot();
  for (const [key, n] of Object.entries(snap)) {
    expect(key.startsWith('list '), `${key} (${n}) is not a LIST`).toBe(true);
    expect(n, key).toBeLessThanOrEqual(perResource);
  }
  return snap;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apinetlet-drift-'));
  stack = await startStack({
    dir,
    reconcilers: kindReconcilers,
    // No timer runs during the test: each run is started by the test.
    env: { APINET_NAMESPACE: ANS, NAT_AUTOSCALING: 'true', APINETLET_RESYNC_INTERVAL: '86400', APINETLET_FULL_RESYNC_INTERVAL: '86400' },
    logLevel: 'SILENT',
  });
  sqs = new SQSClient({ endpoint: stack.info.sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  ic = stack.users.ironcore;
  an = stack.users.apinet;
  await ic.apply(core.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, { fieldManager: 'test' });
  const api = 'networking.ironcore.dev/v1alpha1';
  await ic.apply(ironcore.Network, { apiVersion: api, kind: 'Network', metadata: { namespace: NS, name: 'net' }, spec: {} }, { fieldManager: 'test' });
  for (const name of ['vip-0', 'vip-1', 'vip-2', 'vip-nic']) {
    await ic.apply(ironcore.VirtualIP, { apiVersion: api, kind: 'VirtualIP', metadata: { namespace: NS, name }, spec: { type: 'Public', ipFamily: 'IPv4' } }, { fieldManager: 'test' });
  }
  const networkRef = { name: 'net' };
  await ic.apply(ironcore.LoadBalancer, { apiVersion: api, kind: 'LoadBalancer', metadata: { namespace: NS, name: 'lb' }, spec: { type: 'Public', ipFamilies: ['IPv4'], networkRef, ports: [{ protocol: 'TCP', port: 80 }] } }, { fieldManager: 'test' });
  await ic.apply(ironcore.NATGateway, { apiVersion: api, kind: 'NATGateway', metadata: { namespace: NS, name: 'natgw' }, spec: { type: 'Public', ipFamily: 'IPv4', networkRef } }, { fieldManager: 'test' });
  await ic.apply(
    ironcore.NetworkPolicy,
    {
      apiVersion: api,
      kind: 'NetworkPolicy',
      metadata: { namespace: NS, name: 'np' },
      spec: { networkRef, networkInterfaceSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 80 }] }] },
    },
    { fieldManager: 'test' },
  );
  // SIM-06/07: the machine pool's apinet NIC in the Network's apinet Network; the ironcore NIC points at it and claims vip-nic.
  const netUid = (await until('the apinet Network', async () => {
    const n = await ic.get(ironcore.Network, NS, 'net');
    return n && (await an.get(apinet.Network, ANS, n.metadata.uid!)) ? n.metadata.uid! : undefined;
  }));
  const anic = await simulateMachinePoolNic({ ironcore: ic, apinet: an, apinetNamespace: ANS }, 'drift-nic', netUid, '10.0.0.5', true);
  const providerID = formatNetworkInterfaceProviderId({ namespace: ANS, name: anic.metadata.name!, node: 'node-1', uid: anic.metadata.uid! });
  await ic.apply(
    ironcore.NetworkInterface,
    {
      apiVersion: api,
      kind: 'NetworkInterface',
      metadata: { namespace: NS, name: 'nic', labels: { app: 'web' } },
      spec: { networkRef, ipFamilies: ['IPv4'], ips: [{ value: '10.0.0.5' }], providerID, virtualIP: { virtualIPRef: { name: 'vip-nic' } } },
    },
    { fieldManager: 'test' },
  );
  await until('the objects to converge', converged, 60_000);
  // The policy's rule targets the claimed apinet NIC (the policy selects the NIC).
  const np = (await ic.get(ironcore.NetworkPolicy, NS, 'np'))!;
  await until('the NetworkPolicyRule to target the NIC', async () => {
    const rule = await an.get(apinet.NetworkPolicyRule, ANS, np.metadata.uid!);
    return ((rule as { targets?: unknown[] } | undefined)?.targets ?? []).length === 1;
  });
  // NAT_AUTOSCALING is on, as deployed: the first scheduled run sizes the new gateway to its demand
  // (one NIC: 64 ports of a 1-IP gateway), then the gateway's status follows. After that, rest.
  const first = await stack.resyncNow('drift');
  expect(first.errors).toEqual([]);
  await until('the objects to converge after the first NAT autoscaling run', converged, 30_000);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Drops every queued message (the lost events), then one drift run: it must send only LISTs, at most one per resource. */
async function driftRunAfterLostEvents() {
  await takeAll(sqs, stack.info.sqs.queues);
  counters().ironcore.reset();
  counters().apinet.reset();
  const s = await stack.resyncNow('drift');
  expect(s.errors).toEqual([]);
  onlyLists(counters().ironcore, 1);
  onlyLists(counters().apinet, 1);
  return s;
}

describe('drift-only resync on the local stack', () => {
  it('at rest: only LISTs, one per page, kind and cluster, and no SQS message', async () => {
    await stack.pauseReconcilers();
    try {
      await takeAll(sqs, stack.info.sqs.queues);
      counters().ironcore.reset();
      counters().apinet.reset();
      const s = await stack.resyncNow('drift');
      expect(s.errors).toEqual([]);
      expect(Object.values(s.enqueued).reduce((a, b) => a + b, 0)).toBe(0);
      expect(Object.values(s.orphans).reduce((a, b) => a + b, 0)).toBe(0);
      for (const kind of PRIMARY_KINDS) expect(s.drift[kind], kind).toEqual({});
      const ic1 = onlyLists(counters().ironcore, 1);
      const an1 = onlyLists(counters().apinet, 1);
      // One LIST of each of the six ironcore kinds plus the LB routings the LB check reads (no
      // Prefix LIST: nothing here references one); each of the six apinet projection kinds plus
      // the three objects the LB, NAT gateway and policy apply besides their projection.
      expect(Object.keys(ic1).sort()).toEqual(
        ['list loadbalancerroutings', 'list loadbalancers', 'list natgateways', 'list networkinterfaces', 'list networkpolicies', 'list networks', 'list virtualips'],
      );
      expect(Object.keys(an1).sort()).toEqual(
        ['list ips', 'list loadbalancerroutings', 'list loadbalancers', 'list natgatewayautoscalers', 'list natgateways', 'list networkinterfaces', 'list networkpolicies', 'list networkpolicyrules', 'list networks'],
      );
      // The run's own report (log line and metrics) says the same.
      expect(s).toMatchObject({ mode: 'drift', messages: 0, requests: { ironcore: 7, apinet: 9 } });
      expect(s.listed).toEqual({ Network: 1, VirtualIP: 4, LoadBalancer: 1, NATGateway: 1, NetworkPolicy: 1, NetworkInterface: 1 });
      expect(s.peakRssBytes).toBeGreaterThan(0);
      expect(await takeAll(sqs, stack.info.sqs.queues)).toEqual([]);
    } finally {
      stack.resumeReconcilers();
    }
  });

  it('after lost events: exactly the drifted keys, and they converge from that run', async () => {
    const vip1 = (await ic.get(ironcore.VirtualIP, NS, 'vip-1'))!;
    const oldIp = await vipIp('vip-1');
    await stack.pauseReconcilers();
    try {
      // Behind the functions' back: the projection of vip-1 deleted, vip-2's status overwritten; every event dropped.
      await an.delete(apinet.IP, ANS, vip1.metadata.uid!);
      await until('the apinet IP to be gone', async () => (await an.get(apinet.IP, ANS, vip1.metadata.uid!)) === undefined);
      await ic.mergePatch(ironcore.VirtualIP, NS, 'vip-2', { status: { ip: '203.0.113.99' } }, { subresource: 'status' });
      const s = await driftRunAfterLostEvents();
      expect(s.enqueued).toEqual({ Network: 0, LoadBalancer: 0, NATGateway: 0, NetworkPolicy: 0, VirtualIP: 2, NetworkInterface: 0 });
      expect(s.drift.VirtualIP).toEqual({ 'missing-projection': 1, 'stale-status': 1 });
      expect(s.messages).toBe(2);
      // Read at the SQS server without deleting (back after 2 s): the reconcilers get these messages only.
      const sent = await peekAll(sqs, stack.info.sqs.queues);
      expect(sent.map(keyOf).sort()).toEqual([`VirtualIP ${NS}/vip-1`, `VirtualIP ${NS}/vip-2`]);
    } finally {
      stack.resumeReconcilers();
    }
    await until('vip-1 and vip-2 to converge from the drift messages', converged);
    expect(await vipIp('vip-2')).not.toBe('203.0.113.99');
    expect(oldIp).toBeTruthy();
  });

  it('after lost events of the LoadBalancer, NATGateway, NetworkPolicy and NIC: exactly those keys, and they converge', async () => {
    const lb = (await ic.get(ironcore.LoadBalancer, NS, 'lb'))!;
    const np = (await ic.get(ironcore.NetworkPolicy, NS, 'np'))!;
    await stack.pauseReconcilers();
    try {
      // Behind the functions' back, every event dropped:
      // the LB's apinet routing deleted (an object the LB reconcile applies besides its projection),
      await an.delete(apinet.LoadBalancerRouting, ANS, lb.metadata.uid!);
      await until('the apinet routing to be gone', async () => (await an.get(apinet.LoadBalancerRouting, ANS, lb.metadata.uid!)) === undefined);
      // the apinet NetworkPolicy changed,
      await an.mergePatch(apinet.NetworkPolicy, ANS, np.metadata.uid!, { spec: { priority: 5 } }, { fieldManager: 'intruder' });
      // the NAT gateway's and the NIC's ironcore status overwritten.
      await ic.mergePatch(ironcore.NATGateway, NS, 'natgw', { status: { ips: ['203.0.113.8'] } }, { subresource: 'status' });
      await ic.mergePatch(ironcore.NetworkInterface, NS, 'nic', { status: { state: 'Pending' } }, { subresource: 'status' });
      await new Promise((r) => setTimeout(r, 300)); // the webhooks' messages of these writes, then dropped
      const s = await driftRunAfterLostEvents();
      expect(s.enqueued).toEqual({ Network: 0, LoadBalancer: 1, NATGateway: 1, NetworkPolicy: 1, VirtualIP: 0, NetworkInterface: 1 });
      expect(s.drift).toMatchObject({
        LoadBalancer: { 'owned-differs': 1 },
        NATGateway: { 'stale-status': 1 },
        NetworkPolicy: { 'projection-differs': 1 },
        NetworkInterface: { 'stale-status': 1 },
        Network: {},
        VirtualIP: {},
      });
      expect(s.messages).toBe(4);
      const sent = await peekAll(sqs, stack.info.sqs.queues);
      expect(sent.map(keyOf).sort()).toEqual([`LoadBalancer ${NS}/lb`, `NATGateway ${NS}/natgw`, `NetworkInterface ${NS}/nic`, `NetworkPolicy ${NS}/np`]);
    } finally {
      stack.resumeReconcilers();
    }
    await until('the four to converge from the drift messages', async () => {
      if (!(await converged())) return false;
      const routing = await an.get(apinet.LoadBalancerRouting, ANS, lb.metadata.uid!);
      const policy = await an.get(apinet.NetworkPolicy, ANS, np.metadata.uid!);
      return Boolean(routing) && (policy?.spec as { priority?: number } | undefined)?.priority === 1000;
    });
    // Converged again: the next drift run finds nothing.
    await stack.pauseReconcilers();
    try {
      const again = await stack.resyncNow('drift');
      expect(again.messages).toBe(0);
    } finally {
      stack.resumeReconcilers();
    }
  });
});
