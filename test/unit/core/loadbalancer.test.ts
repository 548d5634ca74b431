import { deletionStep } from '../../../shared/reconcile/core/common.ts';
import { describe, expect, it } from 'vitest';
import { IroncoreLoadBalancer, IroncoreLoadBalancerRouting, IroncoreNetwork, IroncorePrefix } from '../../../shared/api/ironcore.ts';
import { ReconcileError, UnknownLoadBalancerTypeError } from '../../../shared/reconcile/core/errors.ts';
import {
  desiredApinetLoadBalancerRouting,
  loadBalancerPlan,
  loadBalancerPrefixNames,
  loadBalancerReads,
  loadBalancerStatusPatch,
  type ApinetLoadBalancerApply,
  type LoadBalancerObserved,
} from '../../../shared/reconcile/core/loadbalancer.ts';

const ANS = 'apinetlet-system';
const LB_UID = '3f1a2b4c-0000-4000-8000-000000000004';
const NET_UID = '3f1a2b4c-0000-4000-8000-000000000001';
const L = { 'apinetlet.ironcore.dev/loadbalancer-uid': LB_UID, 'apinetlet.ironcore.dev/loadbalancer-namespace': 'default' };
const A = { 'apinetlet.ironcore.dev/loadbalancer-name': 'my-lb' };

// ironcore-api.md 4.4 examples.
const internalLb = () =>
  IroncoreLoadBalancer.parse({
    apiVersion: 'networking.ironcore.dev/v1alpha1',
    kind: 'LoadBalancer',
    metadata: { name: 'my-lb', namespace: 'default', uid: LB_UID, finalizers: ['apinet.ironcore.dev/loadbalancer'] },
    spec: {
      type: 'Internal',
      ipFamilies: ['IPv4', 'IPv6'],
      ips: [{ value: '10.0.0.10' }, { ephemeral: { prefixTemplate: { spec: { ipFamily: 'IPv6', prefixLength: 128, parentRef: { name: 'v6-pool' } } } } }],
      networkRef: { name: 'my-network' },
      networkInterfaceSelector: { matchLabels: { app: 'web' } },
      ports: [
        { protocol: 'TCP', port: 80 },
        { protocol: 'TCP', port: 8000, endPort: 8080 },
        { protocol: 'UDP', port: 53 },
      ],
    },
  });
const publicLb = (ipFamilies = ['IPv4']) =>
  IroncoreLoadBalancer.parse({
    metadata: { name: 'my-lb', namespace: 'default', uid: LB_UID },
    spec: { type: 'Public', ipFamilies, networkRef: { name: 'my-network' }, ports: [{ port: 443 }] },
  });
const network = IroncoreNetwork.parse({ metadata: { name: 'my-network', namespace: 'default', uid: NET_UID } });
// ironcore-api.md 4.8: the ephemeral prefix of my-lb ips[1].
const ephemeralPrefix = (over: { ownerUid?: string; phase?: string } = {}) =>
  IroncorePrefix.parse({
    metadata: {
      name: 'my-lb-1',
      namespace: 'default',
      ownerReferences: [{ apiVersion: 'networking.ironcore.dev/v1alpha1', kind: 'LoadBalancer', name: 'my-lb', uid: over.ownerUid ?? LB_UID, controller: true, blockOwnerDeletion: true }],
    },
    spec: { ipFamily: 'IPv6', prefix: 'fd00::5/128', prefixLength: 128, parentRef: { name: 'v6-pool' } },
    status: { phase: over.phase ?? 'Allocated' },
  });
// ironcore-api.md 4.5 example.
const routing = (providerIDs: string[]) =>
  IroncoreLoadBalancerRouting.parse({
    metadata: { name: 'my-lb', namespace: 'default' },
    networkRef: { name: 'my-network', uid: NET_UID },
    destinations: providerIDs.map((providerID, i) => ({ ip: `10.0.0.${5 + i}`, targetRef: { uid: `nic-uid-${i}`, name: `my-nic-${i}`, providerID } })),
  });

function observed(over: Partial<LoadBalancerObserved> = {}): LoadBalancerObserved {
  return {
    loadBalancer: internalLb(),
    network,
    prefixes: { 'my-lb-1': ephemeralPrefix() },
    routing: null,
    settings: { apinetNamespace: ANS, nodeAffinityAware: false },
    ...over,
  };
}

function applied(o: LoadBalancerObserved): ApinetLoadBalancerApply {
  const plan = loadBalancerPlan(o);
  if (plan.action !== 'apply') throw new Error(`expected apply, got ${plan.action}`);
  return plan.loadBalancer;
}

describe('apinet LoadBalancer projection (behavior.md 2.5)', () => {
  it('R-LB-05: public IPs named after the family, spec.ips of the ironcore LB ignored', () => {
    const lb = publicLb(['IPv4', 'IPv6']);
    const body = applied(observed({ loadBalancer: lb }));
    expect(body).toEqual({
      apiVersion: 'core.apinet.ironcore.dev/v1alpha1',
      kind: 'LoadBalancer',
      metadata: { name: LB_UID, namespace: ANS, labels: L, annotations: A },
      spec: {
        type: 'Public',
        networkRef: { name: NET_UID },
        ips: [
          { name: 'ipv4', ipFamily: 'IPv4' },
          { name: 'ipv6', ipFamily: 'IPv6' },
        ],
        ports: [{ port: 443 }],
        selector: { matchLabels: L },
        template: {
          metadata: { labels: L, annotations: A },
          spec: {
            affinity: {
              instanceAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: L }, topologyKey: 'topology.core.apinet.ironcore.dev/zone' }],
              },
            },
          },
        },
      },
    });
    expect(loadBalancerPrefixNames(lb)).toEqual([]);
  });

  it('R-LB-02: ports carry protocol/port/endPort as given', () => {
    expect(applied(observed()).spec.ports).toEqual([
      { protocol: 'TCP', port: 80 },
      { protocol: 'TCP', port: 8000, endPort: 8080 },
      { protocol: 'UDP', port: 53 },
    ]);
  });

  it('R-LB-04: literal and allocated ephemeral IPs named by index', () => {
    expect(loadBalancerReads(internalLb())).toEqual({ namespace: 'default', network: 'my-network', routing: 'my-lb', prefixes: ['my-lb-1'] });
    expect(applied(observed()).spec.ips).toEqual([
      { name: 'ip-0', ipFamily: 'IPv4', ip: '10.0.0.10' },
      { name: 'ip-1', ipFamily: 'IPv6', ip: 'fd00::5' },
    ]);
  });

  it('R-LB-04: ephemeral prefix missing, controlled by another owner or not Allocated is skipped', () => {
    for (const prefixes of [{}, { 'my-lb-1': ephemeralPrefix({ ownerUid: 'someone-else' }) }, { 'my-lb-1': ephemeralPrefix({ phase: 'Pending' }) }]) {
      expect(applied(observed({ prefixes })).spec.ips).toEqual([{ name: 'ip-0', ipFamily: 'IPv4', ip: '10.0.0.10' }]);
    }
  });

  it('R-LB-04: skipped entries leave gaps in the names', () => {
    const lb = internalLb();
    lb.spec.ips = [lb.spec.ips![1], { value: 'fd00::9' }];
    const out = applied(observed({ loadBalancer: lb, prefixes: {} })).spec.ips;
    expect(out).toEqual([{ name: 'ip-1', ipFamily: 'IPv6', ip: 'fd00::9' }]);
  });

  it('R-LB-03: network missing → skip, nothing applied, no error', () => {
    const plan = loadBalancerPlan(observed({ network: null }));
    expect(plan).toMatchObject({ action: 'skip', reason: 'network-missing' });
    expect(plan.action === 'skip' && plan.message).toMatch(/default\/my-network/);
  });

  it('R-LB-09: an unknown type is a typed error naming the object and the field', () => {
    const lb = publicLb();
    (lb.spec as { type: string }).type = 'Weird';
    const run = () => loadBalancerPlan(observed({ loadBalancer: lb }));
    expect(run).toThrow(UnknownLoadBalancerTypeError);
    expect(run).toThrow(/default\/my-lb.*spec\.type.*unknown load balancer type "Weird"/);
    try {
      run();
    } catch (e) {
      expect(e).toBeInstanceOf(ReconcileError);
      expect(e).toMatchObject({ key: 'default/my-lb', retryable: false });
    }
    // Even when the network is also missing, nothing is applied and the error is reported.
    expect(() => loadBalancerPlan(observed({ loadBalancer: lb, network: null }))).toThrow(UnknownLoadBalancerTypeError);
  });
});

describe('apinet LoadBalancerRouting and node affinity', () => {
  const appliedLb = { metadata: { name: LB_UID, uid: 'apinet-lb-uid' } };
  const nic = (node: string, i: number) => `ironcore-net://apinet-ns/nic-${i}/${node}/9c7e5d1a-${i}`;

  it('R-LB-06: routing applied with empty destinations, origin and controller owner reference', () => {
    expect(desiredApinetLoadBalancerRouting(observed(), appliedLb)).toEqual({
      apiVersion: 'core.apinet.ironcore.dev/v1alpha1',
      kind: 'LoadBalancerRouting',
      metadata: {
        name: LB_UID,
        namespace: ANS,
        labels: L,
        annotations: A,
        ownerReferences: [{ apiVersion: 'core.apinet.ironcore.dev/v1alpha1', kind: 'LoadBalancer', name: LB_UID, uid: 'apinet-lb-uid', controller: true, blockOwnerDeletion: true }],
      },
      destinations: [],
    });
  });

  it('R-LB-06: targets from the NIC provider ID; an unparsable one keeps only the ip', () => {
    const r = routing([nic('zone-a.node-1', 0), 'ironcore-net://a/b/Node_1/u', 'ironcore-net://a/b/c']);
    expect(desiredApinetLoadBalancerRouting(observed({ routing: r }), appliedLb).destinations).toEqual([
      { ip: '10.0.0.5', targetRef: { uid: '9c7e5d1a-0', name: 'nic-0', nodeRef: { name: 'zone-a.node-1' } } },
      { ip: '10.0.0.6' },
      { ip: '10.0.0.7' },
    ]);
  });

  it('R-LB-07: node-affinity aware → one sorted term per distinct node', () => {
    const r = routing([nic('b', 0), nic('a', 1), nic('b', 2)]);
    const body = applied(observed({ routing: r, settings: { apinetNamespace: ANS, nodeAffinityAware: true } }));
    expect(body.spec.template.spec.affinity.nodeAffinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] },
          { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] },
        ],
      },
    });
  });

  it('R-LB-07: no destinations, or not node-affinity aware → no nodeAffinity', () => {
    const aware = { apinetNamespace: ANS, nodeAffinityAware: true };
    expect(applied(observed({ settings: aware })).spec.template.spec.affinity).not.toHaveProperty('nodeAffinity');
    const r = routing([nic('a', 0)]);
    expect(applied(observed({ routing: r })).spec.template.spec.affinity).not.toHaveProperty('nodeAffinity');
  });

  it('R-LB-07 [Go quirk]: destinations without a target are ignored for node affinity', () => {
    const r = routing(['not-a-provider-id', nic('a', 1)]);
    const affinity = applied(observed({ routing: r, settings: { apinetNamespace: ANS, nodeAffinityAware: true } })).spec.template.spec.affinity;
    expect(affinity.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] },
    ]);
    const onlyBad = routing(['ironcore-net://a/b/Node_1/u']);
    expect(applied(observed({ routing: onlyBad, settings: { apinetNamespace: ANS, nodeAffinityAware: true } })).spec.template.spec.affinity).not.toHaveProperty('nodeAffinity');
  });
});

describe('ironcore LoadBalancer status and deletion', () => {
  it('R-LB-01: status.ips = applied spec.ips[].ip in order, patched only when different', () => {
    const lb = publicLb();
    const after = { spec: { ips: [{ name: 'ipv4', ipFamily: 'IPv4', ip: '10.0.0.5' }, { name: 'ipv6', ipFamily: 'IPv6', ip: 'fdef::7' }] } };
    const patch = loadBalancerStatusPatch(lb, after);
    expect(patch).toEqual({ status: { ips: ['10.0.0.5', 'fdef::7'] } });
    lb.status = { ips: ['10.0.0.5', 'fdef::7'] };
    expect(loadBalancerStatusPatch(lb, after)).toBeNull();
    lb.status = { ips: ['fdef::7', '10.0.0.5'] };
    expect(loadBalancerStatusPatch(lb, after)).toEqual(patch);
  });

  it('R-LB-01: no allocated IP clears the status list; empty stays unpatched', () => {
    const lb = internalLb();
    lb.status = { ips: ['10.0.0.10'] };
    expect(loadBalancerStatusPatch(lb, { spec: { ips: [] } })).toEqual({ status: { ips: null } });
    expect(loadBalancerStatusPatch(publicLb(), { spec: { ips: null } })).toBeNull();
  });

  it('R-LB-08: delete the apinet LoadBalancer and wait until it is gone, then remove the finalizer', () => {
    expect(deletionStep(true)).toBe('delete-apinet-and-wait');
    expect(deletionStep(false)).toBe('remove-finalizer');
  });
});
