import { describe, expect, it } from 'vitest';
import { ironcoreFlavour } from '../../../../infra/local/emulator/flavours/ironcore.ts';
import { ApiError, type KubeObject } from '../../../../infra/local/emulator/types.ts';
import { causesOf, MemoryServer } from './memory-store.ts';

const NET = 'networking.ironcore.dev/v1alpha1';
const obj = (kind: string, name: string, rest: Record<string, unknown>, apiVersion = NET): KubeObject =>
  ({ apiVersion, kind, metadata: { name, namespace: 'default' }, ...rest }) as KubeObject;
const server = () => new MemoryServer(ironcoreFlavour());
const fields = (cs: { field: string }[]) => cs.map((c) => c.field);

describe('ironcore flavour: kinds (ironcore-api.md §3)', () => {
  it('serves the eight kinds with their names, short names, status subresources and name rules', () => {
    const kinds = Object.fromEntries(ironcoreFlavour().kinds.map((k) => [k.kind, k]));
    expect(Object.keys(kinds).sort()).toEqual(['LoadBalancer', 'LoadBalancerRouting', 'NATGateway', 'Network', 'NetworkInterface', 'NetworkPolicy', 'Prefix', 'VirtualIP']);
    expect(kinds['LoadBalancerRouting']).toMatchObject({ resource: 'loadbalancerroutings', shortNames: ['lbr', 'lbrt'], statusSubresource: false, nameRule: 'subdomain' });
    expect(kinds['VirtualIP']).toMatchObject({ resource: 'virtualips', shortNames: ['vip'], statusSubresource: true, nameRule: 'label' });
    expect(kinds['Prefix']).toMatchObject({ group: 'ipam.ironcore.dev', resource: 'prefixes', statusSubresource: true });
    expect(kinds['Network']!.generation).toBe(true);
    expect(kinds['NATGateway']!.generation).toBe(false);
  });
});

describe('ironcore defaulting (ironcore-api.md §6)', () => {
  it('NetworkInterface: families from ips, single-IP prefix length for templates, state Pending', () => {
    const nic = server().write('NetworkInterface', obj('NetworkInterface', 'nic', {
      spec: {
        networkRef: { name: 'net' },
        ips: [{ value: '10.0.0.5' }, { ephemeral: { prefixTemplate: { spec: { ipFamily: 'IPv6', parentRef: { name: 'pool' } } } } }],
      },
    }));
    const spec = nic['spec'] as any;
    expect(spec.ipFamilies).toEqual(['IPv4', 'IPv6']);
    expect(spec.ips[1].ephemeral.prefixTemplate.spec.prefixLength).toBe(128);
    expect((nic['status'] as any).state).toBe('Pending');
  });

  it('LoadBalancer: a Public LB gets families from ips, then loses ips', () => {
    const lb = server().write('LoadBalancer', obj('LoadBalancer', 'lb', {
      spec: { type: 'Public', networkRef: { name: 'net' }, ips: [{ value: '10.0.0.9' }] },
    }));
    expect((lb['spec'] as any).ipFamilies).toEqual(['IPv4']);
    expect(lb['spec']).not.toHaveProperty('ips');
  });

  it('NATGateway: portsPerNetworkInterface defaults to 2048', () => {
    const ngw = server().write('NATGateway', obj('NATGateway', 'ngw', { spec: { type: 'Public', ipFamily: 'IPv4', networkRef: { name: 'net' } } }));
    expect((ngw['spec'] as any).portsPerNetworkInterface).toBe(2048);
  });

  it('NetworkPolicy: policyTypes become the sorted union with the types the rules imply', () => {
    const np = server().write('NetworkPolicy', obj('NetworkPolicy', 'np', {
      spec: { networkRef: { name: 'net' }, networkInterfaceSelector: {}, ingress: [{}], egress: [{}], policyTypes: ['Ingress'] },
    }));
    expect((np['spec'] as any).policyTypes).toEqual(['Egress', 'Ingress']);
  });

  it('Prefix: ipFamily from the prefix, phase Pending', () => {
    const p = server().write('Prefix', obj('Prefix', 'root', { spec: { prefix: '10.0.0.0/16' } }, 'ipam.ironcore.dev/v1alpha1'));
    expect((p['spec'] as any).ipFamily).toBe('IPv4');
    expect((p['status'] as any).phase).toBe('Pending');
  });

  it('a malformed IP is rejected at decode time (400), a valid IPv6 stored canonically', () => {
    const s = server();
    const bad = () => s.write('LoadBalancerRouting', obj('LoadBalancerRouting', 'r', { destinations: [{ ip: '010.0.0.1' }] }));
    expect(bad).toThrow(ApiError);
    try { bad(); } catch (e) { expect((e as ApiError).code).toBe(400); }
    const ok = s.write('LoadBalancerRouting', obj('LoadBalancerRouting', 'r2', { destinations: [{ ip: '2001:DB8:0:0::1' }] }));
    expect((ok['destinations'] as any)[0].ip).toBe('2001:db8::1');
  });
});

describe('ironcore validation (ironcore-api.md §8)', () => {
  it('NetworkInterface (G): IP of the wrong family is Invalid at spec.ips[0].value', () => {
    const cs = causesOf(() => server().write('NetworkInterface', obj('NetworkInterface', 'nic', {
      spec: { networkRef: { name: 'net' }, ipFamilies: ['IPv6'], ips: [{ value: '10.0.0.1' }] },
    })));
    expect(cs).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.ips[0].value', message: 'Invalid value: "10.0.0.1": expected ip family IPv6 but got IPv4' }]);
  });

  it('NetworkInterface I1/I2/I4: empty networkRef gives Required and Invalid, no families Required', () => {
    const cs = causesOf(() => server().write('NetworkInterface', obj('NetworkInterface', 'nic', { spec: {} })));
    expect(fields(cs)).toEqual(['spec.networkRef', 'spec.networkRef.name', 'spec.ipFamilies']);
    expect(cs[0]!.reason).toBe('FieldValueRequired');
  });

  it('NetworkInterface (H): ephemeral prefix errors omit the prefixTemplate segment', () => {
    const cs = causesOf(() => server().write('NetworkInterface', obj('NetworkInterface', 'nic', {
      spec: { networkRef: { name: 'net' }, ipFamilies: ['IPv4'], ips: [{ value: '10.0.0.1' }], prefixes: [{ ephemeral: { prefixTemplate: { spec: { prefixLength: 28 } } } }] },
    })));
    expect(fields(cs)).toContain('spec.prefixes[0].ephemeral.spec.ipFamily');
  });

  it('NetworkInterface update: networkRef is immutable (Forbidden at spec)', () => {
    const s = server();
    const base = { ipFamilies: ['IPv4'], ips: [{ value: '10.0.0.1' }] };
    s.write('NetworkInterface', obj('NetworkInterface', 'nic', { spec: { networkRef: { name: 'a' }, ...base } }));
    const cs = causesOf(() => s.write('NetworkInterface', obj('NetworkInterface', 'nic', { spec: { networkRef: { name: 'b' }, ...base } })));
    expect(cs).toEqual([{ reason: 'FieldValueForbidden', field: 'spec', message: 'Forbidden: field is immutable' }]);
  });

  it('Prefix (D): every prefix error is reported twice', () => {
    const cs = causesOf(() => server().write('Prefix', obj('Prefix', 'p', { spec: { ipFamily: 'IPv6', prefix: '10.0.0.0/8' } }, 'ipam.ironcore.dev/v1alpha1')));
    expect(fields(cs)).toEqual(['spec.prefix', 'spec.prefix']);
  });

  it('Prefix update: spec.prefix may be set once, ipFamily never changes', () => {
    const s = server();
    const P = 'ipam.ironcore.dev/v1alpha1';
    s.write('Prefix', obj('Prefix', 'child', { spec: { ipFamily: 'IPv4', prefixLength: 24, parentRef: { name: 'root' } } }, P));
    expect(causesOf(() => s.write('Prefix', obj('Prefix', 'child', { spec: { ipFamily: 'IPv4', prefixLength: 24, prefix: '10.0.1.0/24', parentRef: { name: 'root' } } }, P)))).toEqual([]);
    expect(fields(causesOf(() => s.write('Prefix', obj('Prefix', 'child', { spec: { ipFamily: 'IPv4', prefixLength: 24, prefix: '10.0.2.0/24', parentRef: { name: 'root' } } }, P))))).toEqual(['spec']);
  });

  it('Prefix /status S5: Allocated may not go back to Pending', () => {
    const s = server();
    const P = 'ipam.ironcore.dev/v1alpha1';
    s.write('Prefix', obj('Prefix', 'root', { spec: { prefix: '10.0.0.0/16' }, status: { phase: 'Allocated' } }, P));
    const cs = causesOf(() => s.write('Prefix', obj('Prefix', 'root', { spec: { prefix: '10.0.0.0/16' }, status: { phase: 'Pending' } }, P), { subresource: 'status' }));
    expect(cs).toEqual([{ reason: 'FieldValueForbidden', field: 'status.phase', message: 'Forbidden: may not update from allocated to non-allocated phase' }]);
  });

  it('LoadBalancer L7: the first port of a protocol group is never checked, later ones per earlier port', () => {
    const cs = causesOf(() => server().write('LoadBalancer', obj('LoadBalancer', 'lb', {
      spec: { type: 'Public', ipFamilies: ['IPv4'], networkRef: { name: 'net' }, ports: [{ port: 70000 }, { port: 80 }, { port: 0 }] },
    })));
    expect(fields(cs)).toEqual(['spec.ports[2].port', 'spec.ports[2].port']);
  });

  it('LoadBalancer L7: overlapping ranges of the same protocol are Forbidden at spec.ports[i]', () => {
    const cs = causesOf(() => server().write('LoadBalancer', obj('LoadBalancer', 'lb', {
      spec: { type: 'Public', ipFamilies: ['IPv4'], networkRef: { name: 'net' }, ports: [{ port: 80, endPort: 90 }, { protocol: 'TCP', port: 85 }, { protocol: 'UDP', port: 85 }] },
    })));
    expect(cs).toEqual([{ reason: 'FieldValueForbidden', field: 'spec.ports[1]', message: 'Forbidden: port range [85 85] overlaps with port range [80 90]' }]);
  });

  it('NATGateway G4: portsPerNetworkInterface must be a power of 2', () => {
    const cs = causesOf(() => server().write('NATGateway', obj('NATGateway', 'ngw', { spec: { type: 'Public', ipFamily: 'IPv4', networkRef: { name: 'net' }, portsPerNetworkInterface: 1000 } })));
    expect(cs).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.portsPerNetworkInterface', message: 'Invalid value: 1000: 1000 is not a power of 2' }]);
  });

  it('NetworkPolicy: except outside cidr is Forbidden, both peers Forbidden at ipBlock', () => {
    const cs = causesOf(() => server().write('NetworkPolicy', obj('NetworkPolicy', 'np', {
      spec: {
        networkRef: { name: 'net' }, networkInterfaceSelector: {},
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] } }, { objectSelector: { kind: 'NetworkInterface' }, ipBlock: { cidr: '10.0.0.0/8' } }] }],
      },
    })));
    expect(cs.map((c) => [c.field, c.reason])).toEqual([
      ['spec.ingress[0].from[0].ipBlock.except[0]', 'FieldValueForbidden'],
      ['spec.ingress[0].from[1].ipBlock', 'FieldValueForbidden'],
    ]);
  });

  it('NetworkPolicy P1/P6: missing networkRef Required, no rules means policyTypes Required', () => {
    const cs = causesOf(() => server().write('NetworkPolicy', obj('NetworkPolicy', 'np', { spec: { networkInterfaceSelector: {} } })));
    expect(cs.map((c) => [c.field, c.reason])).toEqual([['spec.networkRef', 'FieldValueRequired'], ['spec.policyTypes', 'FieldValueRequired']]);
  });

  it('Network N3/N9: self-peering Forbidden, a second CIDR-only peering prefix duplicates prefixRef', () => {
    const cs = causesOf(() => server().write('Network', obj('Network', 'net', {
      spec: { peerings: [{ name: 'p', networkRef: { name: 'net' }, prefixes: [{ name: 'a', prefix: '10.0.0.0/24' }, { name: 'b', prefix: '10.1.0.0/24' }] }] },
    })));
    expect(cs.map((c) => [c.field, c.reason])).toEqual([
      ['spec.peerings[0].networkRef', 'FieldValueForbidden'],
      ['spec.peerings[0].prefixes[1].prefixRef', 'FieldValueDuplicate'],
    ]);
  });

  it('Network update: providerID is immutable once set', () => {
    const s = server();
    s.write('Network', obj('Network', 'net', { spec: { providerID: 'a' } }));
    expect(fields(causesOf(() => s.write('Network', obj('Network', 'net', { spec: { providerID: 'b' } }))))).toEqual(['spec.providerID']);
  });

  it('VirtualIP V1/V2: type and ipFamily Required / NotSupported', () => {
    const cs = causesOf(() => server().write('VirtualIP', obj('VirtualIP', 'vip', { spec: { type: 'Private' } })));
    expect(cs).toEqual([
      { reason: 'FieldValueNotSupported', field: 'spec.type', message: 'Unsupported value: "Private": supported values: "Public"' },
      { reason: 'FieldValueRequired', field: 'spec.ipFamily', message: 'Required value: must specify ipFamily' },
    ]);
  });

  it('LoadBalancerRouting R1: a destination without ip is Invalid at destinations[0].ip', () => {
    const cs = causesOf(() => server().write('LoadBalancerRouting', obj('LoadBalancerRouting', 'r', { destinations: [{ targetRef: { name: 'nic', uid: 'u', providerID: 'x' } }] })));
    expect(fields(cs)).toEqual(['destinations[0].ip']);
  });
});
