import { describe, expect, it } from 'vitest';
import { createAdmissionApp } from '../../../shared/admission/app.ts';
import { networkInterfaceProviderIdError } from '../../../shared/admission/validation.ts';
import { MemoryQueue, TOKEN, ironcoreObject, post, review } from './fixtures.ts';

async function validate(rev: unknown) {
  const queue = new MemoryQueue();
  const app = createAdmissionApp({ enqueue: queue, token: TOKEN });
  const res = await app.fetch(post('/validate', rev));
  return { status: res.status, response: ((await res.json()) as any).response, queue };
}

describe('POST /validate rules', () => {
  it('R-LB-09: an unknown LoadBalancer type is denied, naming spec.type and what to set', async () => {
    const lb = ironcoreObject('LoadBalancer');
    lb.spec.type = 'Regional';
    const rev = review('LoadBalancer', { operation: 'CREATE', object: lb });
    const { status, response, queue } = await validate(rev);
    expect(status).toBe(200);
    expect(response.uid).toBe(rev.request.uid);
    expect(response.allowed).toBe(false);
    expect(response.status.code).toBe(422);
    expect(response.status.message).toContain('spec.type');
    expect(response.status.message).toContain('"Regional"');
    expect(response.status.message).toContain('Public or Internal');
    expect(queue.messages).toEqual([]);
  });

  it('R-LB-09: Internal and Public LoadBalancers are allowed', async () => {
    for (const type of ['Internal', 'Public']) {
      const lb = ironcoreObject('LoadBalancer');
      lb.spec.type = type;
      expect((await validate(review('LoadBalancer', { operation: 'CREATE', object: lb }))).response.allowed).toBe(true);
    }
  });

  it('R-NP-06: a VirtualIP object selector peer is denied with the peer path', async () => {
    const np = ironcoreObject('NetworkPolicy');
    np.spec.egress = [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { objectSelector: { kind: 'VirtualIP' } }] }];
    const { response } = await validate(review('NetworkPolicy', { operation: 'CREATE', object: np }));
    expect(response.allowed).toBe(false);
    expect(response.status.message).toContain('spec.egress[0].to[1].objectSelector.kind');
    expect(response.status.message).toContain('"VirtualIP"');
  });

  it('R-NP-06: a policy type other than Ingress/Egress is denied', async () => {
    const np = ironcoreObject('NetworkPolicy');
    np.spec.policyTypes = ['Ingress', 'Sideways'];
    const { response } = await validate(review('NetworkPolicy', { operation: 'CREATE', object: np }));
    expect(response.allowed).toBe(false);
    expect(response.status.message).toContain('spec.policyTypes[1]');
    expect(response.status.message).toContain('Ingress or Egress');
  });

  it('R-PROV-01: NetworkInterface provider IDs with the wrong segment count or a bad node are denied', async () => {
    for (const id of ['ironcore-net://a/b/c', 'ironcore-net://a/b/c/d/e', 'ironcore-net://ns/n/Node_1/uid']) {
      const nic = ironcoreObject('NetworkInterface');
      nic.spec.providerID = id;
      const { response } = await validate(review('NetworkInterface', { operation: 'CREATE', object: nic }));
      expect(response.allowed, id).toBe(false);
      expect(response.status.message).toContain('spec.providerID');
      expect(response.status.message).toContain(JSON.stringify(id));
    }
  });

  it('R-PROV-01: a provider ID without the scheme prefix, or none at all, is allowed', async () => {
    expect(networkInterfaceProviderIdError('ns/name/node-1.example/uid')).toBeUndefined();
    const nic = ironcoreObject('NetworkInterface');
    delete nic.spec.providerID;
    expect((await validate(review('NetworkInterface', { operation: 'CREATE', object: nic }))).response.allowed).toBe(true);
  });

  it('UPDATE is denied only for problems the stored object did not have (ratcheting)', async () => {
    const old = ironcoreObject('NetworkPolicy');
    old.spec.policyTypes = ['Sideways'];
    const keepsOldProblem = structuredClone(old);
    keepsOldProblem.metadata.labels = { touched: 'yes' };
    const r1 = await validate(review('NetworkPolicy', { operation: 'UPDATE', object: keepsOldProblem, oldObject: old }));
    expect(r1.response.allowed).toBe(true);
    expect(r1.queue.messages).toHaveLength(1);
    const addsProblem = structuredClone(old);
    addsProblem.spec.ingress = [{ from: [{ objectSelector: { kind: 'VirtualIP' } }] }];
    const r2 = await validate(review('NetworkPolicy', { operation: 'UPDATE', object: addsProblem, oldObject: old }));
    expect(r2.response.allowed).toBe(false);
    expect(r2.response.status.message).toContain('spec.ingress[0].from[0]');
  });

  it('an object being deleted is never denied (finalizers must stay removable)', async () => {
    const lb = ironcoreObject('LoadBalancer');
    lb.spec.type = 'Weird';
    const deleting = structuredClone(lb);
    deleting.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    deleting.metadata.finalizers = [];
    const { response, queue } = await validate(review('LoadBalancer', { operation: 'UPDATE', object: deleting, oldObject: ironcoreObject('LoadBalancer') }));
    expect(response.allowed).toBe(true);
    expect(queue.messages).toHaveLength(1);
  });
});
