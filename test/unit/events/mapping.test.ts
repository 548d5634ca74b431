import { describe, expect, it } from 'vitest';
import type { Change } from '../../../shared/events/change.ts';
import { inMemoryLookups } from '../../../shared/events/lookups.ts';
import type { Lookups } from '../../../shared/events/lookups.ts';
import { keysFor, reconcileKeysFor } from '../../../shared/events/mapping.ts';

const NET = 'networking.ironcore.dev/v1alpha1';
const APINET = 'core.apinet.ironcore.dev/v1alpha1';
const ANS = 'apinet-ns';

function obj(apiVersion: string, kind: string, namespace: string, name: string, rest: Record<string, any> = {}, meta: Record<string, any> = {}) {
  return { apiVersion, kind, metadata: { namespace, name, uid: `uid-${name}`, resourceVersion: '7', ...meta }, ...rest };
}

function origin(kind: string, namespace: string, name: string) {
  const k = kind.toLowerCase();
  return {
    labels: { [`apinetlet.ironcore.dev/${k}-uid`]: `uid-${name}`, [`apinetlet.ironcore.dev/${k}-namespace`]: namespace },
    annotations: { [`apinetlet.ironcore.dev/${k}-name`]: name },
  };
}

const change = (cluster: 'ironcore' | 'apinet', object: any, extra: Partial<Change> = {}): Change => ({
  cluster, type: 'MODIFIED', object, via: 'admission', ...extra,
});

const keys = async (c: Change, lookups: Lookups = inMemoryLookups({}), watchFilter?: string) =>
  (await reconcileKeysFor(c, lookups, { watchFilter })).map((k) => `${k.kind} ${k.namespace}/${k.name}`).sort();

describe('keysFor: apinet cluster', () => {
  it('R-GEN-05: an apinet object with complete origin re-triggers its ironcore object', async () => {
    for (const kind of ['Network', 'LoadBalancer', 'NATGateway', 'NetworkPolicy', 'VirtualIP']) {
      const o = obj(APINET, kind === 'VirtualIP' ? 'IP' : kind, ANS, 'u1', {}, origin(kind, 'ns1', 'src'));
      expect(await keys(change('apinet', o))).toContain(`${kind} ns1/src`);
    }
    const autoscaler = obj(APINET, 'NATGatewayAutoscaler', ANS, 'u2', {}, origin('NATGateway', 'ns1', 'gw'));
    expect(await keys(change('apinet', autoscaler))).toEqual(['NATGateway ns1/gw']);
  });

  it('R-GEN-05: an apinet object missing one origin key triggers nothing', async () => {
    const o = origin('LoadBalancer', 'ns1', 'lb');
    const partial = obj(APINET, 'LoadBalancer', ANS, 'u1', {}, { labels: o.labels });
    expect(await keys(change('apinet', partial))).toEqual([]);
  });

  it('R-NIC-11 (c): a released apinet NIC (origin only on the old state) still wakes the ironcore NIC', async () => {
    const before = obj(APINET, 'NetworkInterface', ANS, 'anic', { spec: {} }, origin('NetworkInterface', 'ns1', 'nic'));
    const after = obj(APINET, 'NetworkInterface', ANS, 'anic', { spec: {} });
    expect(await keys(change('apinet', after, { oldObject: before }))).toEqual(['NetworkInterface ns1/nic']);
  });

  it('R-NP-09: an apinet NIC change re-triggers the ironcore NetworkPolicies of its network by origin', async () => {
    const lookups = inMemoryLookups({
      apinet: [
        obj(APINET, 'NetworkPolicy', ANS, 'p1', { spec: { networkRef: { name: 'net-uid' } } }, origin('NetworkPolicy', 'ns1', 'allow-web')),
        obj(APINET, 'NetworkPolicy', ANS, 'p2', { spec: { networkRef: { name: 'other-uid' } } }, origin('NetworkPolicy', 'ns1', 'other')),
        obj(APINET, 'NetworkPolicy', ANS, 'p3', { spec: { networkRef: { name: 'net-uid' } } }, origin('NetworkPolicy', 'ns2', 'empty-selector')),
      ],
    });
    const nic = obj(APINET, 'NetworkInterface', ANS, 'anic', { spec: { networkRef: { name: 'net-uid' } }, status: { state: 'Ready' } });
    expect(await keys(change('apinet', nic), lookups)).toEqual(['NetworkPolicy ns1/allow-web', 'NetworkPolicy ns2/empty-selector']);
  });

  it('R-NP-09: an apinet Network change re-triggers its policies and its own ironcore Network', async () => {
    const lookups = inMemoryLookups({
      apinet: [obj(APINET, 'NetworkPolicy', ANS, 'p1', { spec: { networkRef: { name: 'net-uid' } } }, origin('NetworkPolicy', 'ns1', 'np'))],
    });
    const net = obj(APINET, 'Network', ANS, 'net-uid', {}, origin('Network', 'ns1', 'net'));
    expect(await keys(change('apinet', net), lookups)).toEqual(['Network ns1/net', 'NetworkPolicy ns1/np']);
  });
});

describe('keysFor: ironcore cluster', () => {
  const ironcoreObjects = [
    obj(NET, 'NATGateway', 'ns1', 'gw', { spec: { networkRef: { name: 'net' } } }),
    obj(NET, 'NATGateway', 'ns1', 'gw-other', { spec: { networkRef: { name: 'other' } } }),
    obj(NET, 'NATGateway', 'ns2', 'gw-elsewhere', { spec: { networkRef: { name: 'net' } } }),
    obj(NET, 'LoadBalancer', 'ns1', 'lb', { spec: { networkRef: { name: 'net' } } }),
    obj(NET, 'NetworkPolicy', 'ns1', 'np', { spec: { networkRef: { name: 'net' } } }),
  ];

  it('R-NATGW-05: a Network wakes only NAT gateways (and LBs, policies) of its namespace naming it', async () => {
    const net = obj(NET, 'Network', 'ns1', 'net', { spec: {} });
    expect(await keys(change('ironcore', net), inMemoryLookups({ ironcore: ironcoreObjects }))).toEqual([
      'LoadBalancer ns1/lb', 'NATGateway ns1/gw', 'NetworkPolicy ns1/np',
    ]);
  });

  it('R-GEN-03: listed fan-out targets outside the watch filter are not woken', async () => {
    const labelled = obj(NET, 'NATGateway', 'ns1', 'gw-az1', { spec: { networkRef: { name: 'net' } } }, { labels: { 'common.ironcore.dev/watch-filter': 'az1' } });
    const net = obj(NET, 'Network', 'ns1', 'net', { spec: {} });
    expect(await keys(change('ironcore', net), inMemoryLookups({ ironcore: [...ironcoreObjects, labelled] }), 'az1')).toEqual(['NATGateway ns1/gw-az1']);
  });

  it('R-NET-07: a Network wakes its peers (namespace defaulted, R-NET-05)', async () => {
    const net = obj(NET, 'Network', 'ns1', 'net', {
      spec: { peerings: [{ name: 'p', networkRef: { name: 'peer' } }], incomingPeerings: [{ name: 'far', namespace: 'ns9', uid: 'x' }] },
    });
    expect(await keys(change('ironcore', net))).toEqual(['Network ns1/peer', 'Network ns9/far']);
  });

  it('R-NIC-11 (a): a VIP with targetRef wakes that NIC, and the one it targeted before', async () => {
    const vip = obj(NET, 'VirtualIP', 'ns1', 'vip', { spec: { targetRef: { name: 'nic-b', uid: 'b' } } });
    const old = obj(NET, 'VirtualIP', 'ns1', 'vip', { spec: { targetRef: { name: 'nic-a', uid: 'a' } } });
    expect(await keys(change('ironcore', vip, { oldObject: old }))).toEqual(['NetworkInterface ns1/nic-a', 'NetworkInterface ns1/nic-b']);
  });

  it('R-NIC-11 (b): a free VIP wakes every NIC that wants it by name (R-NIC-05)', async () => {
    const lookups = inMemoryLookups({
      ironcore: [
        obj(NET, 'NetworkInterface', 'ns1', 'by-ref', { spec: { virtualIP: { virtualIPRef: { name: 'vip' } } } }),
        obj(NET, 'NetworkInterface', 'ns1', 'vip', { spec: { virtualIP: { ephemeral: { virtualIPTemplate: {} } } } }),
        obj(NET, 'NetworkInterface', 'ns1', 'other', { spec: { virtualIP: { virtualIPRef: { name: 'not-it' } } } }),
        obj(NET, 'NetworkInterface', 'ns2', 'elsewhere', { spec: { virtualIP: { virtualIPRef: { name: 'vip' } } } }),
      ],
    });
    const vip = obj(NET, 'VirtualIP', 'ns1', 'vip', { spec: { type: 'Public' } });
    expect(await keys(change('ironcore', vip), lookups)).toEqual(['NetworkInterface ns1/by-ref', 'NetworkInterface ns1/vip']);
  });

  it('R-LB-10 (c) / R-NIC-11 (d): a Prefix wakes its controlling LoadBalancer or NetworkInterface only', async () => {
    const ref = (kind: string, name: string, controller: boolean) => ({ apiVersion: NET, kind, name, uid: 'x', controller });
    const lbPrefix = obj('ipam.ironcore.dev/v1alpha1', 'Prefix', 'ns1', 'lb-1', {}, { ownerReferences: [ref('LoadBalancer', 'lb', true)] });
    const nicPrefix = obj('ipam.ironcore.dev/v1alpha1', 'Prefix', 'ns1', 'nic-pf-0', {}, {
      ownerReferences: [ref('NetworkInterface', 'nic', true), ref('LoadBalancer', 'not-controller', false)],
    });
    expect(await keys(change('ironcore', lbPrefix))).toEqual(['LoadBalancer ns1/lb']);
    expect(await keys(change('ironcore', nicPrefix))).toEqual(['NetworkInterface ns1/nic']);
  });

  it('R-NET-04: a Prefix wakes the Networks whose peering prefixes reference it, in its namespace', async () => {
    const lookups = inMemoryLookups({
      ironcore: [
        obj(NET, 'Network', 'ns1', 'uses', { spec: { peerings: [{ name: 'p', networkRef: { name: 'x' }, prefixes: [{ name: 'pp', prefixRef: { name: 'shared' } }] }] } }),
        obj(NET, 'Network', 'ns1', 'literal', { spec: { peerings: [{ name: 'p', networkRef: { name: 'x' }, prefixes: [{ name: 'pp', prefix: '10.0.0.0/24' }] }] } }),
        obj(NET, 'Network', 'ns2', 'other-ns', { spec: { peerings: [{ name: 'p', networkRef: { name: 'x' }, prefixes: [{ name: 'pp', prefixRef: { name: 'shared' } }] }] } }),
      ],
    });
    const prefix = obj('ipam.ironcore.dev/v1alpha1', 'Prefix', 'ns1', 'shared', { status: { phase: 'Allocated' } });
    expect(await keys(change('ironcore', prefix), lookups)).toEqual(['Network ns1/uses']);
  });

  it('R-LB-10 (d): a LoadBalancerRouting wakes the LoadBalancer of the same key', async () => {
    const lbr = obj(NET, 'LoadBalancerRouting', 'ns1', 'lb', { destinations: [] });
    expect(await keys(change('ironcore', lbr))).toEqual(['LoadBalancer ns1/lb']);
  });

  it('R-GEN-03/R-GEN-04: a primary object seen outside admission wakes itself unless excluded', async () => {
    const lb = obj(NET, 'LoadBalancer', 'ns1', 'lb', { spec: {} });
    expect(await keys(change('ironcore', lb, { via: 'cloudevent' }))).toEqual(['LoadBalancer ns1/lb']);
    expect(await keys(change('ironcore', lb, { via: 'admission' }))).toEqual([]);
    expect(await keys(change('ironcore', lb, { via: 'watch' }), undefined, 'az1')).toEqual([]);
    const managed = obj(NET, 'LoadBalancer', 'ns1', 'lb', {}, { annotations: { 'common.ironcore.dev/managed-by': 'x' } });
    expect(await keys(change('ironcore', managed, { via: 'watch' }))).toEqual([]);
  });

  it('messages are valid watch messages and differ per triggering change (FIFO de-duplication)', async () => {
    const lbr = obj(NET, 'LoadBalancerRouting', 'ns1', 'lb', {});
    const [m1] = await keysFor(change('ironcore', lbr), inMemoryLookups({}));
    const [m2] = await keysFor(change('ironcore', { ...lbr, metadata: { ...lbr.metadata, resourceVersion: '8' } }), inMemoryLookups({}));
    expect(m1).toMatchObject({ v: 1, kind: 'LoadBalancer', namespace: 'ns1', name: 'lb', source: 'watch' });
    expect(m1!.run).not.toEqual(m2!.run);
  });
});
