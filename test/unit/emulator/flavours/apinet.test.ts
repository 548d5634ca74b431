import { describe, expect, it } from 'vitest';
import { apinetFlavour, LABEL_IP, LABEL_IP_FAMILY } from '../../../../infra/local/emulator/flavours/apinet.ts';
import { ApiError, type KubeObject } from '../../../../infra/local/emulator/types.ts';
import { causesOf, MemoryServer } from './memory-store.ts';

const obj = (kind: string, name: string, rest: Record<string, unknown>): KubeObject =>
  ({ apiVersion: 'core.apinet.ironcore.dev/v1alpha1', kind, metadata: { name, namespace: 'ns' }, ...rest }) as KubeObject;
const spec = (o: KubeObject | undefined) => (o?.['spec'] ?? {}) as any;
const publicIp = (name: string, extra: Record<string, unknown> = {}) => obj('IP', name, { spec: { type: 'Public', ipFamily: 'IPv4', ...extra } });

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('apinet flavour: kinds (apinet-api.md §1, §3.4, §4.1)', () => {
  it('serves the nine kinds with label names, SSA keys and the spec.ip field selector', () => {
    const kinds = Object.fromEntries(apinetFlavour().kinds.map((k) => [k.kind, k]));
    expect(Object.keys(kinds).sort()).toEqual(['IP', 'LoadBalancer', 'LoadBalancerRouting', 'NATGateway', 'NATGatewayAutoscaler', 'Network', 'NetworkInterface', 'NetworkPolicy', 'NetworkPolicyRule']);
    expect(Object.values(kinds).every((k) => k.nameRule === 'label')).toBe(true);
    expect(kinds['NATGateway']!.listMapKeys!['spec.ips']).toEqual(['name']);
    expect(kinds['NetworkInterface']!.listMapKeys!['spec.publicIPs']).toEqual(['name']);
    expect(kinds['IP']!.statusSubresource).toBe(false);
    expect(kinds['NetworkPolicy']!.statusSubresource).toBe(false);
    expect(kinds['IP']!.fieldSelectors!['spec.ip']!(publicIp('x', { ip: '10.0.0.1' }))).toBe('10.0.0.1');
  });
});

describe('SRV-01: Network VNI allocation', () => {
  it('SRV-01: assigns unique decimal VNIs in 200…2^24-1', () => {
    const s = new MemoryServer(apinetFlavour());
    const ids = ['a', 'b', 'c'].map((n) => spec(s.write('Network', obj('Network', n, { spec: {} }))).id);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9]+$/);
      expect(Number(id)).toBeGreaterThanOrEqual(200);
      expect(Number(id)).toBeLessThanOrEqual(2 ** 24 - 1);
    }
    expect(new Set(ids).size).toBe(3);
  });

  it('SRV-01: an explicit VNI already in use is a 500; dry run allocates 200 without storing', () => {
    const s = new MemoryServer(apinetFlavour());
    const id = spec(s.write('Network', obj('Network', 'a', { spec: {} }))).id;
    expect(apiError(() => s.write('Network', obj('Network', 'b', { spec: { id } }))).code).toBe(500);
    expect(spec(s.write('Network', obj('Network', 'dry', { spec: {} }), { dryRun: true })).id).toBe('200');
    expect(s.all('Network')).toHaveLength(1);
  });

  it('SRV-01: spec.id is immutable', () => {
    const s = new MemoryServer(apinetFlavour());
    s.write('Network', obj('Network', 'a', { spec: {} }));
    const cs = causesOf(() => s.write('Network', obj('Network', 'a', { spec: { id: '999' } })));
    expect(cs).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.id', message: 'Invalid value: "999": field is immutable' }]);
  });
});

describe('SRV-02: public IP allocation', () => {
  it('SRV-02: picks a free pool address and labels family and address', () => {
    const s = new MemoryServer(apinetFlavour());
    const ip = s.write('IP', publicIp('ip1'));
    expect(spec(ip).ip).toMatch(/^10\.0\.0\.[0-9]+$/);
    expect(ip.metadata.labels).toEqual({ [LABEL_IP_FAMILY]: 'IPv4', [LABEL_IP]: spec(ip).ip });
  });

  it('SRV-02: IPv6 addresses come from the IPv6 pool, label uses - for :', () => {
    const s = new MemoryServer(apinetFlavour({ publicPools: { IPv6: 'fd00:1::/126' } }));
    const ip = s.write('IP', obj('IP', 'v6', { spec: { type: 'Public', ipFamily: 'IPv6' } }));
    expect(spec(ip).ip).toMatch(/^fd00:1::[0-3]?$/);
    expect(ip.metadata.labels![LABEL_IP]).toBe(spec(ip).ip.replaceAll(':', '-'));
  });

  it('SRV-02: a /30 pool hands out 4 distinct addresses, then answers 409 Conflict', () => {
    const s = new MemoryServer(apinetFlavour({ publicPools: { IPv4: '192.0.2.0/30' } }));
    const got = [1, 2, 3, 4].map((i) => spec(s.write('IP', publicIp(`ip${i}`))).ip);
    expect(new Set(got)).toEqual(new Set(['192.0.2.0', '192.0.2.1', '192.0.2.2', '192.0.2.3']));
    const e = apiError(() => s.write('IP', publicIp('ip5')));
    expect([e.code, e.reason]).toEqual([409, 'Conflict']);
    s.remove('IP', 'ns', 'ip2');
    expect(spec(s.write('IP', publicIp('ip6'))).ip).toBe(got[1]);
  });

  it('SRV-02: an explicit address outside the pool or taken is a 500', () => {
    const s = new MemoryServer(apinetFlavour());
    expect(apiError(() => s.write('IP', publicIp('out', { ip: '192.168.0.1' }))).message).toContain('not in range');
    s.write('IP', publicIp('a', { ip: '10.0.0.7' }));
    expect(apiError(() => s.write('IP', publicIp('b', { ip: '10.0.0.7' }))).message).toContain('already allocated');
  });

  it('IP validation: family required, ip must match family', () => {
    const s = new MemoryServer(apinetFlavour());
    const cs = causesOf(() => s.write('IP', obj('IP', 'x', { spec: { type: 'Public', ipFamily: 'IPv6', ip: '10.0.0.1' } })));
    expect(cs.map((c) => c.field)).toEqual(['spec.ip']);
  });
});

describe('SRV-03/04: NAT gateway and load balancer IPs', () => {
  it('SRV-03: NATGateway ips without ip get an address backed by an IP owned and claimed by the gateway', () => {
    const s = new MemoryServer(apinetFlavour());
    const ngw = s.write('NATGateway', obj('NATGateway', 'gw', { spec: { ipFamily: 'IPv4', networkRef: { name: 'n' }, portsPerNetworkInterface: 2048, ips: [{ name: 'ip-1' }] } }));
    const addr = spec(ngw).ips[0].ip;
    expect(addr).toMatch(/^10\.0\.0\./);
    const backing = s.all('IP').find((i) => spec(i).ip === addr)!;
    expect(backing.metadata.name!.startsWith('gw-')).toBe(true);
    expect(backing.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'NATGateway', name: 'gw', uid: ngw.metadata.uid, controller: true })]);
    expect(spec(backing).claimRef).toEqual({ group: 'core.apinet.ironcore.dev', resource: 'natgateways', name: 'gw', uid: ngw.metadata.uid });
  });

  it('SRV-03: removing an entry releases (deletes) its ephemeral IP; keeping it keeps the address', () => {
    const s = new MemoryServer(apinetFlavour());
    const base = { ipFamily: 'IPv4', networkRef: { name: 'n' }, portsPerNetworkInterface: 2048 };
    const first = s.write('NATGateway', obj('NATGateway', 'gw', { spec: { ...base, ips: [{ name: 'a' }, { name: 'b' }] } }));
    const [a, b] = spec(first).ips;
    const second = s.write('NATGateway', obj('NATGateway', 'gw', { spec: { ...base, ips: [a] } }));
    expect(spec(second).ips).toEqual([a]);
    expect(s.all('IP').map((i) => spec(i).ip)).toEqual([a.ip]);
    expect(b.ip).not.toBe(a.ip);
  });

  it('SRV-04: public LB entries get addresses; Internal LB entries are stored as given, no IP objects', () => {
    const s = new MemoryServer(apinetFlavour());
    const lbSpec = (type: string, ips: unknown[]) => ({
      type, networkRef: { name: 'n' }, ips,
      selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: {} },
    });
    const pub = s.write('LoadBalancer', obj('LoadBalancer', 'pub', { spec: lbSpec('Public', [{ name: 'ipv4', ipFamily: 'IPv4' }]) }));
    expect(spec(pub).ips[0].ip).toMatch(/^10\.0\.0\./);
    const internal = s.write('LoadBalancer', obj('LoadBalancer', 'int', { spec: lbSpec('Internal', [{ name: 'ip-0', ip: '192.168.1.5' }]) }));
    expect(spec(internal).ips).toEqual([{ name: 'ip-0', ip: '192.168.1.5', ipFamily: 'IPv4' }]);
    expect(s.all('IP')).toHaveLength(1);
  });

  it('LoadBalancer validation: selector must match template labels', () => {
    const s = new MemoryServer(apinetFlavour());
    const cs = causesOf(() => s.write('LoadBalancer', obj('LoadBalancer', 'lb', {
      spec: { type: 'Internal', networkRef: { name: 'n' }, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'c' } } } },
    })));
    expect(cs.map((c) => c.field)).toEqual(['spec.template.labels']);
  });
});

describe('SRV-05: NetworkInterface public IP claims', () => {
  const nic = (publicIPs: unknown[]) => obj('NetworkInterface', 'nic', { spec: { nodeRef: { name: 'node' }, networkRef: { name: 'n' }, ips: ['192.168.0.1'], publicIPs } });

  it('SRV-05: claims an existing IP, releases the claim when the address is removed', () => {
    const s = new MemoryServer(apinetFlavour());
    const ip = s.write('IP', publicIp('vip'));
    const addr = spec(ip).ip;
    const n = s.write('NetworkInterface', nic([{ name: 'v', ip: addr }]));
    expect(spec(s.access(false).get({ group: 'core.apinet.ironcore.dev', version: 'v1alpha1', resource: 'ips' }, 'ns', 'vip')).claimRef)
      .toEqual({ group: 'core.apinet.ironcore.dev', resource: 'networkinterfaces', name: 'nic', uid: n.metadata.uid });
    expect(spec(n).publicIPs[0].ipFamily).toBe('IPv4');
    s.write('NetworkInterface', nic([]));
    const after = s.all('IP');
    expect(after).toHaveLength(1);
    expect(spec(after[0]).claimRef).toBeUndefined();
  });

  it('SRV-05: rejects a missing IP and an IP claimed by someone else', () => {
    const s = new MemoryServer(apinetFlavour());
    expect(apiError(() => s.write('NetworkInterface', nic([{ name: 'v', ip: '10.0.0.99' }]))).message).toContain('provided IP was not found');
    const ip = s.write('IP', publicIp('taken', { claimRef: { group: 'core.apinet.ironcore.dev', resource: 'networkinterfaces', name: 'other', uid: 'other-uid' } }));
    const e = apiError(() => s.write('NetworkInterface', nic([{ name: 'v', ip: spec(ip).ip }])));
    expect([e.code, e.message.includes('already allocated')]).toEqual([500, true]);
  });

  it('SRV-05: an entry without ip gets a fresh IP controlled by the NIC, deleted when the entry goes', () => {
    const s = new MemoryServer(apinetFlavour());
    const n = s.write('NetworkInterface', nic([{ name: 'v4', ipFamily: 'IPv4' }]));
    expect(spec(n).publicIPs[0].ip).toMatch(/^10\.0\.0\./);
    expect(s.all('IP')).toHaveLength(1);
    s.write('NetworkInterface', nic([]));
    expect(s.all('IP')).toHaveLength(0);
  });

  it('SRV-05: deleting the NIC releases its claims', () => {
    const s = new MemoryServer(apinetFlavour());
    const addr = spec(s.write('IP', publicIp('vip'))).ip;
    s.write('NetworkInterface', nic([{ name: 'v', ip: addr }]));
    s.remove('NetworkInterface', 'ns', 'nic');
    expect(spec(s.all('IP')[0]).claimRef).toBeUndefined();
  });

  it('NetworkInterface validation: two public IPs of a family, NAT for the same family (quirky paths)', () => {
    const s = new MemoryServer(apinetFlavour());
    const cs = causesOf(() => s.write('NetworkInterface', obj('NetworkInterface', 'nic', {
      spec: {
        nodeRef: { name: 'node' }, networkRef: { name: 'n' }, ips: ['192.168.0.1', '192.168.0.2'],
        publicIPs: [{ name: 'a', ipFamily: 'IPv4' }, { name: 'b', ipFamily: 'IPv4' }],
        natGateways: [{ ipFamily: 'IPv4', claimRef: { name: 'g', uid: 'u' } }],
      },
    })));
    expect(cs.map((c) => [c.field, c.reason])).toEqual([
      ['ips[1]', 'FieldValueForbidden'],
      ['spec.publicIPs[1]', 'FieldValueForbidden'],
      ['spec.nats[0]', 'FieldValueForbidden'],
    ]);
  });
});

describe('apinet validation of the other kinds', () => {
  it('NATGatewayAutoscaler: minPublicIPs without maxPublicIPs is rejected (nil max counts as 0)', () => {
    const s = new MemoryServer(apinetFlavour());
    const cs = causesOf(() => s.write('NATGatewayAutoscaler', obj('NATGatewayAutoscaler', 'a', { spec: { natGatewayRef: { name: 'g' }, minPublicIPs: 1 } })));
    expect(cs).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.maxPublicIPs', message: 'Invalid value: 0: must >= minPublicIPs' }]);
  });

  it('NetworkPolicy: policyTypes required, peer kind VirtualIP not supported', () => {
    const s = new MemoryServer(apinetFlavour());
    const cs = causesOf(() => s.write('NetworkPolicy', obj('NetworkPolicy', 'p', {
      spec: { networkRef: { name: 'n' }, networkInterfaceSelector: {}, ingress: [{ from: [{ objectSelector: { kind: 'VirtualIP' } }] }] },
    })));
    expect(cs.map((c) => [c.field, c.reason])).toEqual([
      ['spec.ingress[0].from[0].objectSelector.kind', 'FieldValueNotSupported'],
      ['spec.policyTypes', 'FieldValueRequired'],
    ]);
  });
});
