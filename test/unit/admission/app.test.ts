import { describe, expect, it } from 'vitest';
import jsonpatch from 'fast-json-patch';
import { PRIMARY_KINDS } from '../../../shared/api/resources.ts';
import { createAdmissionApp } from '../../../shared/admission/app.ts';
import { MemoryQueue, TOKEN, decodePatch, ironcoreObject, post, review } from './fixtures.ts';

function setup(watchFilter?: string) {
  const queue = new MemoryQueue();
  const logs: Record<string, unknown>[] = [];
  const app = createAdmissionApp({ enqueue: queue, token: TOKEN, watchFilter, log: (e) => logs.push(e) });
  return { queue, app, logs };
}

async function call(app: ReturnType<typeof setup>['app'], req: Request) {
  const res = await app.fetch(req);
  return { status: res.status, body: (await res.json()) as any };
}

describe('POST /mutate', () => {
  for (const kind of PRIMARY_KINDS) {
    it(`R-GEN-01: CREATE of a ${kind} gets the apinet finalizer by JSONPatch`, async () => {
      const { app } = setup();
      const obj = ironcoreObject(kind);
      const rev = review(kind, { operation: 'CREATE', object: obj });
      const { status, body } = await call(app, post('/mutate', rev));
      expect(status).toBe(200);
      expect(body.apiVersion).toBe('admission.k8s.io/v1');
      expect(body.response.uid).toBe(rev.request.uid);
      expect(body.response.allowed).toBe(true);
      expect(body.response.patchType).toBe('JSONPatch');
      const patched = jsonpatch.applyPatch(obj, decodePatch(body.response.patch) as any, true, false).newDocument;
      expect(patched.metadata.finalizers).toEqual([`apinet.ironcore.dev/${kind.toLowerCase()}`]);
    });
  }

  it('R-GEN-01: appends to existing finalizers and adds nothing when already present', async () => {
    const { app } = setup();
    const obj = ironcoreObject('Network');
    obj.metadata.finalizers = ['networking.ironcore.dev/network'];
    const first = await call(app, post('/mutate', review('Network', { operation: 'CREATE', object: obj })));
    const patched = jsonpatch.applyPatch(obj, decodePatch(first.body.response.patch) as any, true, false).newDocument;
    expect(patched.metadata.finalizers).toEqual(['networking.ironcore.dev/network', 'apinet.ironcore.dev/network']);
    const again = await call(app, post('/mutate', review('Network', { operation: 'CREATE', object: patched })));
    expect(again.body.response.allowed).toBe(true);
    expect(again.body.response.patch).toBeUndefined();
    expect(again.body.response.patchType).toBeUndefined();
  });

  it('does not patch UPDATE or DELETE requests', async () => {
    const { app } = setup();
    const obj = ironcoreObject('VirtualIP');
    for (const rev of [
      review('VirtualIP', { operation: 'UPDATE', object: obj, oldObject: obj }),
      review('VirtualIP', { operation: 'DELETE', oldObject: obj }),
    ]) {
      const { body } = await call(app, post('/mutate', rev));
      expect(body.response).toEqual({ uid: rev.request.uid, allowed: true });
    }
  });

  it('R-GEN-03: no finalizer for an object outside the watch filter; one for an object inside it', async () => {
    const { app } = setup('az1');
    const outside = ironcoreObject('LoadBalancer');
    const r1 = await call(app, post('/mutate', review('LoadBalancer', { operation: 'CREATE', object: outside })));
    expect(r1.body.response.patch).toBeUndefined();
    const inside = ironcoreObject('LoadBalancer');
    inside.metadata.labels = { 'common.ironcore.dev/watch-filter': 'az1' };
    const r2 = await call(app, post('/mutate', review('LoadBalancer', { operation: 'CREATE', object: inside })));
    expect(r2.body.response.patch).toBeDefined();
  });

  it('R-GEN-04: no finalizer for an externally managed object (empty annotation value counts)', async () => {
    const { app } = setup();
    const obj = ironcoreObject('NetworkInterface');
    obj.metadata.annotations = { 'common.ironcore.dev/managed-by': '' };
    const { body } = await call(app, post('/mutate', review('NetworkInterface', { operation: 'CREATE', object: obj })));
    expect(body.response.allowed).toBe(true);
    expect(body.response.patch).toBeUndefined();
  });
});

describe('POST /validate enqueues', () => {
  for (const kind of PRIMARY_KINDS) {
    for (const operation of ['CREATE', 'UPDATE', 'DELETE'] as const) {
      it(`${kind} ${operation}: allowed, uid echoed, key enqueued`, async () => {
        const { app, queue } = setup();
        const old = ironcoreObject(kind);
        const obj = { ...structuredClone(old), metadata: { ...old.metadata, labels: { ...old.metadata.labels, changed: 'yes' } } };
        const rev = review(kind, {
          operation,
          object: operation === 'DELETE' ? null : obj,
          oldObject: operation === 'CREATE' ? null : old,
        });
        const { status, body } = await call(app, post('/validate', rev));
        expect(status).toBe(200);
        expect(body.response).toEqual({ uid: rev.request.uid, allowed: true });
        expect(queue.messages).toEqual([
          {
            v: 1,
            kind,
            namespace: 'default',
            name: old.metadata.name,
            source: 'admission',
            uid: old.metadata.uid,
            op: operation,
            ...(operation === 'UPDATE' ? { resourceVersion: '41' } : {}),
          },
        ]);
      });
    }
  }

  it('never enqueues an UPDATE that changes nothing (a repeated kubectl apply): no new version will be stored', async () => {
    const { app, queue } = setup();
    const old = ironcoreObject('LoadBalancer');
    const same = { ...structuredClone(old), metadata: { ...old.metadata, managedFields: [{ manager: 'kubectl', operation: 'Apply' }] } };
    const { body } = await call(app, post('/validate', review('LoadBalancer', { operation: 'UPDATE', object: same, oldObject: old })));
    expect(body.response.allowed).toBe(true);
    expect(queue.messages).toEqual([]);
  });

  it('never enqueues a dryRun request', async () => {
    const { app, queue } = setup();
    const rev = review('Network', { operation: 'CREATE', object: ironcoreObject('Network'), dryRun: true });
    const { body } = await call(app, post('/validate', rev));
    expect(body.response.allowed).toBe(true);
    expect(queue.messages).toEqual([]);
  });

  it('R-GEN-03/R-GEN-04: excluded objects are allowed but not enqueued', async () => {
    const { app, queue } = setup('az1');
    const managed = ironcoreObject('NATGateway');
    managed.metadata.labels = { 'common.ironcore.dev/watch-filter': 'az1' };
    managed.metadata.annotations = { 'common.ironcore.dev/managed-by': 'machinebroker' };
    const unlabelled = ironcoreObject('NATGateway', 'other');
    for (const obj of [managed, unlabelled]) {
      const { body } = await call(app, post('/validate', review('NATGateway', { operation: 'CREATE', object: obj })));
      expect(body.response.allowed).toBe(true);
    }
    expect(queue.messages).toEqual([]);
  });

  it('does not enqueue status subresource writes (apinetlet writes them itself)', async () => {
    const { app, queue } = setup();
    const obj = ironcoreObject('Network');
    const rev = review('Network', { operation: 'UPDATE', object: obj, oldObject: obj, subResource: 'status' });
    const { body } = await call(app, post('/validate', rev));
    expect(body.response.allowed).toBe(true);
    expect(queue.messages).toEqual([]);
  });

  it('answers allowed with a warning when the queue is unreachable (resync repairs)', async () => {
    const { app, queue, logs } = setup();
    queue.fail = true;
    const rev = review('VirtualIP', { operation: 'CREATE', object: ironcoreObject('VirtualIP') });
    const { status, body } = await call(app, post('/validate', rev));
    expect(status).toBe(200);
    expect(body.response.uid).toBe(rev.request.uid);
    expect(body.response.allowed).toBe(true);
    expect(body.response.warnings[0]).toMatch(/resync/);
    expect(JSON.stringify(logs)).toContain('VirtualIP default/my-virtualip');
  });
});
