/**
 * Drift-only resync on the whole local stack (issue 12), counting requests at the emulators: at
 * rest a run sends only LISTs (one per page, kind and cluster) and no SQS message; after events
 * were lost, the next run sends exactly the drifted keys and the objects converge from them.
 * Networks and VirtualIPs: the kinds the drift checks cover from the LIST snapshot alone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type LocalStack } from '../../../infra/local/stack/stack.ts';
import { apinet, core, ironcore } from '../../../shared/api/resources.ts';
import type { KubeClient } from '../../../shared/kube/index.ts';
import type { KubeObject } from '../../../shared/kube/types.ts';
import { parseQueueMessage, type QueueMessage } from '../../../shared/queue/message.ts';
import { kindReconcilers } from '../../../shared/reconcile/index.ts';
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
  return Boolean((net?.spec as { providerID?: string })?.providerID) && (net?.status as { state?: string } | undefined)?.state === 'Available';
}

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
    env: { APINET_NAMESPACE: ANS, NAT_AUTOSCALING: 'false', APINETLET_RESYNC_INTERVAL: '86400', APINETLET_FULL_RESYNC_INTERVAL: '86400' },
    logLevel: 'SILENT',
  });
  sqs = new SQSClient({ endpoint: stack.info.sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  ic = stack.users.ironcore;
  an = stack.users.apinet;
  await ic.apply(core.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, { fieldManager: 'test' });
  const api = 'networking.ironcore.dev/v1alpha1';
  await ic.apply(ironcore.Network, { apiVersion: api, kind: 'Network', metadata: { namespace: NS, name: 'net' }, spec: {} }, { fieldManager: 'test' });
  for (const name of ['vip-0', 'vip-1', 'vip-2']) {
    await ic.apply(ironcore.VirtualIP, { apiVersion: api, kind: 'VirtualIP', metadata: { namespace: NS, name }, spec: { type: 'Public', ipFamily: 'IPv4' } }, { fieldManager: 'test' });
  }
  await until('the objects to converge', converged);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

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
      expect(s.drift.Network).toEqual({});
      expect(s.drift.VirtualIP).toEqual({});
      const ic1 = onlyLists(counters().ironcore, 1);
      const an1 = onlyLists(counters().apinet, 1);
      // One LIST of each of the six ironcore kinds and of each of the six apinet projection kinds.
      expect(Object.keys(ic1)).toHaveLength(6);
      expect(Object.keys(an1)).toHaveLength(6);
      // The run's own report (log line and metrics) says the same.
      expect(s).toMatchObject({ mode: 'drift', messages: 0, requests: { ironcore: 6, apinet: 6 } });
      expect(s.listed).toMatchObject({ Network: 1, VirtualIP: 3 });
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
      await takeAll(sqs, stack.info.sqs.queues);

      counters().ironcore.reset();
      counters().apinet.reset();
      const s = await stack.resyncNow('drift');
      expect(s.errors).toEqual([]);
      onlyLists(counters().ironcore, 1);
      onlyLists(counters().apinet, 1);
      expect(s.enqueued).toMatchObject({ VirtualIP: 2, Network: 0 });
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
});
