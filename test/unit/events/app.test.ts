import { describe, expect, it } from 'vitest';
import { createWatchApp } from '../../../shared/events/app.ts';
import { inMemoryLookups } from '../../../shared/events/lookups.ts';
import { MemoryQueue, TOKEN, post } from '../admission/fixtures.ts';

const ANS = 'apinet-ns';
const apinetNic = (state: string) => ({
  apiVersion: 'core.apinet.ironcore.dev/v1alpha1',
  kind: 'NetworkInterface',
  metadata: {
    name: 'anic', namespace: ANS, uid: 'anic-uid', resourceVersion: state === 'Ready' ? '9' : '8',
    labels: { 'apinetlet.ironcore.dev/networkinterface-uid': 'u', 'apinetlet.ironcore.dev/networkinterface-namespace': 'ns1' },
    annotations: { 'apinetlet.ironcore.dev/networkinterface-name': 'nic' },
  },
  spec: { networkRef: { name: 'net-uid' } },
  status: { state },
});
const lbr = { apiVersion: 'networking.ironcore.dev/v1alpha1', kind: 'LoadBalancerRouting', metadata: { name: 'lb', namespace: 'ns1', uid: 'r', resourceVersion: '3' } };

function setup() {
  const queue = new MemoryQueue();
  const logs: unknown[] = [];
  const app = createWatchApp({ enqueue: queue, token: TOKEN, lookups: inMemoryLookups({}), log: (e) => logs.push(e) });
  return { queue, app, logs };
}

function statusReview(uid: string) {
  return {
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: {
      uid, operation: 'UPDATE', subResource: 'status', name: 'anic', namespace: ANS,
      kind: { group: 'core.apinet.ironcore.dev', version: 'v1alpha1', kind: 'NetworkInterface' },
      resource: { group: 'core.apinet.ironcore.dev', version: 'v1alpha1', resource: 'networkinterfaces' },
      userInfo: { username: 'metalnetlet' }, object: apinetNic('Ready'), oldObject: apinetNic('Pending'), dryRun: false,
    },
  };
}

describe('POST /events', () => {
  it('observe-only AdmissionReview of a …/status write: allowed, uid echoed, origin key enqueued', async () => {
    const { app, queue } = setup();
    const res = await app.fetch(post('/events/apinet', statusReview('rev-1')));
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).response).toEqual({ uid: 'rev-1', allowed: true });
    expect(queue.messages.map((m) => `${m.kind} ${m.namespace}/${m.name} ${m.source}`)).toEqual(['NetworkInterface ns1/nic watch']);
  });

  it('observe-only AdmissionReview stays allowed when the queue fails, and never enqueues dryRun', async () => {
    const { app, queue, logs } = setup();
    queue.fail = true;
    const res = await app.fetch(post('/events/apinet', statusReview('rev-2')));
    expect(((await res.json()) as any).response).toEqual({ uid: 'rev-2', allowed: true });
    expect(logs).toHaveLength(1);
    queue.fail = false;
    const dry = statusReview('rev-3');
    (dry.request as any).dryRun = true;
    await app.fetch(post('/events/apinet', dry));
    expect(queue.messages).toEqual([]);
  });

  it('structured CloudEvent from ApiServerSource (Resource mode)', async () => {
    const { app, queue } = setup();
    const event = { specversion: '1.0', id: 'e1', source: 'https://ironcore', type: 'dev.knative.apiserver.resource.update', datacontenttype: 'application/json', data: lbr };
    const res = await app.fetch(post('/events/ironcore', event, { 'content-type': 'application/cloudevents+json' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ changes: 1, enqueued: 1 });
    expect(queue.messages[0]).toMatchObject({ kind: 'LoadBalancer', namespace: 'ns1', name: 'lb' });
  });

  it('binary CloudEvent; a bare /events decides the cluster by API group', async () => {
    const { app, queue } = setup();
    const res = await app.fetch(post('/events', apinetNic('Ready'), {
      'ce-specversion': '1.0', 'ce-id': 'e2', 'ce-source': 'https://apinet', 'ce-type': 'dev.knative.apiserver.resource.delete',
    }));
    expect(res.status).toBe(200);
    expect(queue.messages.map((m) => m.name)).toEqual(['nic']);
  });

  it('400 for a CloudEvent of another type (ApiServerSource in Reference mode)', async () => {
    const { app } = setup();
    const event = { specversion: '1.0', id: 'e3', source: 's', type: 'dev.knative.apiserver.ref.add', data: lbr };
    const res = await app.fetch(post('/events/ironcore', event, { 'content-type': 'application/cloudevents+json' }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error).toContain('Resource mode');
  });

  it('newline-delimited watch events; BOOKMARKs ignored; one message per key', async () => {
    const { app, queue } = setup();
    const lines = [
      { type: 'ADDED', object: lbr },
      { type: 'BOOKMARK', object: { kind: 'LoadBalancerRouting', metadata: { resourceVersion: '5' } } },
      { type: 'MODIFIED', object: { ...lbr, metadata: { ...lbr.metadata, resourceVersion: '4' } } },
    ].map((l) => JSON.stringify(l)).join('\n');
    const res = await app.fetch(post('/events/ironcore', lines, { 'content-type': 'application/x-ndjson' }));
    expect(await res.json()).toEqual({ changes: 2, enqueued: 1 });
    expect(queue.messages).toHaveLength(1);
  });

  it('400 for a malformed watch line, 404 for an unknown cluster, 401 without token, 413 when too large', async () => {
    const { app } = setup();
    expect((await app.fetch(post('/events/ironcore', '{"type":"ADDED"}'))).status).toBe(400);
    expect((await app.fetch(post('/events/kubernetes', JSON.stringify({ type: 'ADDED', object: lbr })))).status).toBe(404);
    expect((await app.fetch(post('/events/ironcore', '', { authorization: 'Bearer nope' }))).status).toBe(401);
    expect((await app.fetch(post(`/t/${TOKEN}/events/ironcore`, JSON.stringify({ type: 'ADDED', object: lbr }), { authorization: '' }))).status).toBe(200);
    expect((await app.fetch(post('/events/ironcore', 'x'.repeat(3 * 1024 * 1024 + 1)))).status).toBe(413);
  });

  it('5xx when a lookup fails, so a CloudEvent sender retries', async () => {
    const queue = new MemoryQueue();
    const failing = { listIroncore: async () => { throw new Error('ironcore down'); }, listApinet: async () => [] };
    const app = createWatchApp({ enqueue: queue, token: TOKEN, lookups: failing, log: () => undefined });
    const net = { apiVersion: 'networking.ironcore.dev/v1alpha1', kind: 'Network', metadata: { name: 'n', namespace: 'ns1' } };
    const res = await app.fetch(post('/events/ironcore', JSON.stringify({ type: 'MODIFIED', object: net })));
    expect(res.status).toBe(500);
  });
});

describe('no-op writes', () => {
  it('an UPDATE that changes nothing but bookkeeping enqueues nothing (no self-trigger loop)', async () => {
    const { app, queue } = setup();
    const rev = statusReview('rev-noop');
    const same = apinetNic('Ready');
    rev.request.object = { ...same, metadata: { ...same.metadata, resourceVersion: '10', managedFields: [{ manager: 'x' }] } } as any;
    rev.request.oldObject = same;
    const res = await app.fetch(post('/events/apinet', rev));
    expect(((await res.json()) as any).response.allowed).toBe(true);
    expect(queue.messages).toEqual([]);
  });
});
