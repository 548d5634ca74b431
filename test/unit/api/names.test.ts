import { describe, expect, it } from 'vitest';
import {
  apinetNameOf,
  internalLoadBalancerIPName,
  ipLabelValue,
  isDNS1123Label,
  isDNS1123Subdomain,
  loadBalancerPrefixNames,
  networkInterfacePrefixNames,
  networkInterfaceVirtualIPName,
  publicLoadBalancerIPName,
} from '../../../shared/api/names.ts';

describe('name derivations (ironcore-api.md 5)', () => {
  const nic = {
    metadata: { name: 'my-nic' },
    spec: { ips: [{ value: '10.0.0.5' }, { ephemeral: {} }], prefixes: [{ value: '10.1.0.0/28' }, { ephemeral: {} }, { ephemeral: {} }] },
  };

  it('NIC prefix names count every entry, IP prefixes first then -pf- prefixes', () => {
    expect(networkInterfacePrefixNames(nic)).toEqual(['my-nic-1', 'my-nic-pf-1', 'my-nic-pf-2']);
  });

  it('LB prefix names', () => {
    expect(loadBalancerPrefixNames({ metadata: { name: 'my-lb' }, spec: { ips: [{ ephemeral: {} }, { value: 'x' }, { ephemeral: {} }] } })).toEqual(['my-lb-0', 'my-lb-2']);
    expect(loadBalancerPrefixNames({ metadata: { name: 'my-lb' }, spec: {} })).toEqual([]);
  });

  it("the NIC's virtual IP name: ref, else ephemeral NIC name, else none", () => {
    expect(networkInterfaceVirtualIPName('my-nic', { virtualIPRef: { name: 'vip-1' } })).toBe('vip-1');
    expect(networkInterfaceVirtualIPName('my-nic', { ephemeral: { virtualIPTemplate: {} } })).toBe('my-nic');
    expect(networkInterfaceVirtualIPName('my-nic', {})).toBeUndefined();
    expect(networkInterfaceVirtualIPName('my-nic', null)).toBeUndefined();
  });

  it('apinet LB IP names and the IP label value', () => {
    expect(publicLoadBalancerIPName('IPv6')).toBe('ipv6');
    expect(internalLoadBalancerIPName(3)).toBe('ip-3');
    expect(ipLabelValue('2001:db8::5')).toBe('2001-db8--5');
  });

  it('apinet objects are named by the ironcore UID; no UID is an error naming the key', () => {
    expect(apinetNameOf({ metadata: { name: 'n', namespace: 'd', uid: 'u-1' } })).toBe('u-1');
    expect(() => apinetNameOf({ metadata: { name: 'n', namespace: 'd' } })).toThrow(/d\/n.*metadata\.uid/);
  });

  it('DNS-1123 names', () => {
    expect(isDNS1123Subdomain('zone-a.node-1')).toBe(true);
    expect(isDNS1123Subdomain('Node_1')).toBe(false);
    expect(isDNS1123Subdomain('a'.repeat(254))).toBe(false);
    expect(isDNS1123Label('zone-a.node-1')).toBe(false);
    expect(isDNS1123Label('my-lb')).toBe(true);
  });
});
