import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  IroncoreLoadBalancer,
  IroncoreLoadBalancerRouting,
  IroncoreNetwork,
  IroncoreNetworkInterface,
  IroncoreNetworkPolicy,
  IroncorePrefix,
  IroncoreVirtualIP,
  IroncoreNATGateway,
} from '../../../shared/api/ironcore.ts';
import {
  ApinetIP,
  ApinetLoadBalancer,
  ApinetNATGateway,
  ApinetNetwork,
  ApinetNetworkInterface,
  ApinetNetworkPolicyRule,
} from '../../../shared/api/apinet.ts';
import { ObjectList } from '../../../shared/api/meta.ts';

const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'default', uid: `uid-${name}`, ...extra });

function issuesOf(schema: z.ZodType, value: unknown): { path: string; message: string }[] {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  return result.error!.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('ironcore schemas', () => {
  it('parse a Network with peerings and incomingPeerings and keep unknown fields', () => {
    const net = IroncoreNetwork.parse({
      apiVersion: 'networking.ironcore.dev/v1alpha1',
      kind: 'Network',
      metadata: meta('my-network', { labels: { 'common.ironcore.dev/watch-filter': 'az1' }, futureMeta: 1 }),
      spec: {
        providerID: 'ironcore-net://apinet-ns/u/4711/u2',
        peerings: [{ name: 'to-other', networkRef: { name: 'other' }, prefixes: [{ name: 'a', prefix: '10.0.0.0/24' }, { name: 'b', prefixRef: { name: 'shared' } }] }],
        incomingPeerings: [{ namespace: 'default', name: 'other', uid: 'uid-other' }],
        futureSpecField: { x: 1 },
      },
      status: { state: 'Available', peerings: [{ name: 'to-other', state: 'Ready', prefixes: [{ name: 'a', prefix: '10.0.0.0/24' }] }] },
    });
    expect(net.spec.incomingPeerings?.[0].uid).toBe('uid-other');
    expect(net.spec.peerings?.[0].prefixes?.[1].prefixRef?.name).toBe('shared');
    expect((net.spec as Record<string, unknown>).futureSpecField).toEqual({ x: 1 });
    expect((net.metadata as Record<string, unknown>).futureMeta).toBe(1);
  });

  it('parse a NetworkInterface, canonicalising its IPs', () => {
    const nic = IroncoreNetworkInterface.parse({
      metadata: meta('my-nic'),
      spec: {
        networkRef: { name: 'my-network' },
        ipFamilies: ['IPv4', 'IPv6'],
        ips: [{ value: '10.0.0.5' }, { ephemeral: { prefixTemplate: { spec: { ipFamily: 'IPv6', prefixLength: 128, parentRef: { name: 'v6' } } } } }],
        prefixes: [{ value: '10.1.0.0/28' }],
        virtualIP: { ephemeral: { virtualIPTemplate: { spec: { type: 'Public', ipFamily: 'IPv4', reclaimPolicy: 'Delete' } } } },
      },
      status: { state: 'Available', ips: ['10.0.0.5', 'FD00::1:5'], virtualIP: '203.0.113.8' },
    });
    expect(nic.status?.ips).toEqual(['10.0.0.5', 'fd00::1:5']);
    expect(nic.spec.ips?.[1].ephemeral?.prefixTemplate?.spec.prefixLength).toBe(128);
  });

  it('parse LoadBalancer, LoadBalancerRouting (top-level fields), VirtualIP, NATGateway and Prefix', () => {
    const lb = IroncoreLoadBalancer.parse({
      metadata: meta('my-lb'),
      spec: { type: 'Internal', ipFamilies: ['IPv4'], ips: [{ value: '10.0.0.10' }], networkRef: { name: 'n' }, networkInterfaceSelector: { matchLabels: { app: 'web' } }, ports: [{ protocol: 'TCP', port: 8000, endPort: 8080 }, { port: 443 }] },
    });
    expect(lb.spec.ports?.[1].protocol).toBeUndefined();
    const lbr = IroncoreLoadBalancerRouting.parse({
      metadata: meta('my-lb'),
      networkRef: { name: 'n', uid: 'u' },
      destinations: [{ ip: '10.0.0.5', targetRef: { uid: 'u', name: 'nic', providerID: 'ironcore-net://a/b/c/d' } }],
    });
    expect(lbr.destinations?.[0].targetRef?.providerID).toBe('ironcore-net://a/b/c/d');
    expect(IroncoreVirtualIP.parse({ metadata: meta('v'), spec: { type: 'Public', ipFamily: 'IPv4' }, status: { ip: null } }).status?.ip).toBeNull();
    expect(IroncoreNATGateway.parse({ metadata: meta('g'), spec: { type: 'Public', ipFamily: 'IPv4', networkRef: { name: 'n' } } }).spec.portsPerNetworkInterface).toBeUndefined();
    const prefix = IroncorePrefix.parse({ metadata: meta('my-lb-1'), spec: { ipFamily: 'IPv6', prefix: 'fd00::5/128', prefixLength: 128 }, status: { phase: 'Allocated' } });
    expect(prefix.status?.phase).toBe('Allocated');
  });

  it('parse a NetworkPolicy; a missing selector defaults to the empty (match-all) selector', () => {
    const np = IroncoreNetworkPolicy.parse({
      metadata: meta('db'),
      spec: {
        networkRef: { name: 'n' },
        ingress: [{ from: [{ objectSelector: { kind: 'NetworkInterface', matchLabels: { app: 'web' } } }, { ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.5.0/24'] } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
        policyTypes: ['Ingress'],
      },
    });
    expect(np.spec.networkInterfaceSelector).toEqual({});
    expect(np.spec.ingress?.[0].from?.[1].ipBlock?.except).toEqual(['10.0.5.0/24']);
  });

  it('reject bad IPs and prefixes with the field path', () => {
    expect(issuesOf(IroncoreNetworkInterface, { metadata: meta('x'), spec: { networkRef: { name: 'n' }, ips: [{ value: '010.0.0.1' }] } })).toEqual([
      { path: 'spec.ips.0.value', message: expect.stringContaining('"010.0.0.1"') },
    ]);
    const np = issuesOf(IroncoreNetworkPolicy, {
      metadata: meta('x'),
      spec: { networkRef: { name: 'n' }, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] },
    });
    expect(np.map((i) => i.path)).toEqual(['spec.egress.0.to.0.ipBlock.cidr']);
    expect(np[0].message).toContain('10.0.0.0/33');
  });

  it('reject an object missing a required reference', () => {
    expect(issuesOf(IroncoreLoadBalancer, { metadata: meta('x'), spec: { type: 'Public' } }).map((i) => i.path)).toEqual(['spec.networkRef']);
    expect(issuesOf(IroncoreLoadBalancer, { metadata: meta('x'), spec: { type: 'External', networkRef: { name: 'n' } } }).map((i) => i.path)).toEqual(['spec.type']);
  });
});

describe('apinet schemas', () => {
  it('parse a Network with a numeric status peering id and a string spec id', () => {
    const n = ApinetNetwork.parse({ metadata: meta('u'), spec: { id: '1234567', peerings: [{ name: 'p', id: '7654321', prefixes: [{ name: 'p1', prefix: '10.0.0.0/24' }] }] }, status: { peerings: { 'zone-a': [{ id: 7654321, state: 'Ready' }] } } });
    expect(n.status?.peerings?.['zone-a']?.[0].id).toBe(7654321);
  });

  it('accept null for unset IPs as Go emits them', () => {
    const lb = ApinetLoadBalancer.parse({
      metadata: meta('u'),
      spec: {
        type: 'Public',
        networkRef: { name: 'n' },
        ips: [{ name: 'ipv4', ipFamily: 'IPv4', ip: null }],
        selector: { matchLabels: { a: 'b' } },
        template: { metadata: { labels: { a: 'b' } }, spec: { type: '', loadBalancerType: '', networkRef: {}, affinity: { instanceAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { a: 'b' } }, topologyKey: 'topology.core.apinet.ironcore.dev/zone' }] } } } },
      },
      status: {},
    });
    expect(lb.spec.ips?.[0].ip).toBeNull();
    expect(ApinetIP.parse({ metadata: meta('ip'), spec: { type: 'Public', ipFamily: 'IPv4', ip: '10.0.0.17', claimRef: { group: 'core.apinet.ironcore.dev', resource: 'networkinterfaces', name: 'nic', uid: 'u' } }, status: {} }).spec.claimRef?.resource).toBe('networkinterfaces');
    expect(ApinetNATGateway.parse({ metadata: meta('g'), spec: { ipFamily: 'IPv4', networkRef: { name: 'n' }, ips: [{ name: 'x', ip: null }], portsPerNetworkInterface: 2048 }, status: { usedNATIPs: 3 } }).status?.usedNATIPs).toBe(3);
  });

  it('parse a NetworkInterface with natGateways and publicIPs', () => {
    const nic = ApinetNetworkInterface.parse({
      metadata: meta('nic'),
      spec: { nodeRef: { name: 'zone-a.node-1' }, networkRef: { name: 'n' }, ips: ['192.168.178.10'], natGateways: [{ ipFamily: 'IPv4', claimRef: { name: 'g', uid: 'u' } }], publicIPs: [{ name: 'p', ipFamily: 'IPv4' }] },
      status: { state: 'Ready', natIPs: ['10.0.0.9'] },
    });
    expect(nic.spec.natGateways?.[0].claimRef.name).toBe('g');
  });

  it('parse a NetworkPolicyRule with top-level singular rule names', () => {
    const rule = ApinetNetworkPolicyRule.parse({
      metadata: meta('r'),
      networkRef: { name: 'n', uid: 'u' },
      targets: [{ ip: '192.168.178.10', targetRef: { name: 'nic', uid: 'u' } }],
      priority: 1000,
      ingressRule: [{ ipBlock: [{ cidr: '192.168.1.0/24', except: ['192.168.1.1/32'] }], ips: [{ ipFamily: 'IPv4', prefix: '192.168.178.50/32' }, { ipFamily: 'IPv6', prefix: null }], networkPolicyPorts: [{ protocol: 'TCP', port: 80 }] }],
      egressRule: [{ ipBlock: [{ cidr: null }] }],
    });
    expect(rule.ingressRule?.[0].ips?.[1].prefix).toBeNull();
    expect(issuesOf(ApinetNetworkPolicyRule, { metadata: meta('r'), networkRef: { name: 'n', uid: 'u' }, egressRule: [{ ips: [{ prefix: '1.2.3.4/40' }] }] }).map((i) => i.path)).toEqual(['egressRule.0.ips.0.prefix']);
  });

  it('parse a list; null items read as empty', () => {
    const List = ObjectList(ApinetIP);
    expect(List.parse({ kind: 'IPList', metadata: { resourceVersion: '5' }, items: null }).items).toEqual([]);
    const list = List.parse({ metadata: {}, items: [{ metadata: meta('a'), spec: { type: 'Public' } }] });
    expect(list.items[0].metadata.name).toBe('a');
    expect(issuesOf(List, { items: [{ metadata: meta('a'), spec: { type: 'Public', ip: 'x' } }] }).map((i) => i.path)).toEqual(['items.0.spec.ip']);
  });
});
