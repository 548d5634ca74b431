import { describe, expect, it } from 'vitest';
import { IroncoreNetworkInterface, IroncorePrefix, IroncoreVirtualIP } from '../../../shared/api/ironcore.ts';
import { networkInterfaceTriggeredByPrefix, networkInterfacesTriggeredByVirtualIP } from '../../../shared/reconcile/core/networkinterface-triggers.ts';

function nic(name: string, virtualIP: object | null): IroncoreNetworkInterface {
  return IroncoreNetworkInterface.parse({
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { networkRef: { name: 'my-network' }, ...(virtualIP ? { virtualIP } : {}) },
  });
}

function vip(name: string, targetRef?: { name: string; uid: string }): IroncoreVirtualIP {
  return IroncoreVirtualIP.parse({
    metadata: { name, namespace: 'default', uid: `uid-vip-${name}` },
    spec: { type: 'Public', ipFamily: 'IPv4', ...(targetRef ? { targetRef } : {}) },
  });
}

const nics = [
  nic('my-nic', { ephemeral: { virtualIPTemplate: { spec: { type: 'Public', ipFamily: 'IPv4' } } } }),
  nic('ref-nic', { virtualIPRef: { name: 'shared-vip' } }),
  nic('ref-nic-2', { virtualIPRef: { name: 'shared-vip' } }),
  nic('plain-nic', null),
];

describe('R-NIC-11: NetworkInterface triggers', () => {
  it('R-NIC-11 (a): a VIP with targetRef triggers the NIC it targets', () => {
    expect(networkInterfacesTriggeredByVirtualIP(vip('shared-vip', { name: 'ref-nic', uid: 'uid-ref-nic' }), nics)).toEqual([{ namespace: 'default', name: 'ref-nic' }]);
  });

  it('R-NIC-11 (b): a free VIP triggers every NIC whose wanted VIP name equals its name (ref or ephemeral)', () => {
    expect(networkInterfacesTriggeredByVirtualIP(vip('shared-vip'), nics)).toEqual([
      { namespace: 'default', name: 'ref-nic' },
      { namespace: 'default', name: 'ref-nic-2' },
    ]);
    expect(networkInterfacesTriggeredByVirtualIP(vip('my-nic'), nics)).toEqual([{ namespace: 'default', name: 'my-nic' }]);
    expect(networkInterfacesTriggeredByVirtualIP(vip('nobody-wants-me'), nics)).toEqual([]);
  });

  it('R-NIC-11 (a, b): a release also triggers the NIC the VIP was taken from', () => {
    const keys = networkInterfacesTriggeredByVirtualIP(vip('shared-vip'), nics, vip('shared-vip', { name: 'gone-nic', uid: 'uid-gone' }));
    expect(keys.map((k) => k.name)).toEqual(['ref-nic', 'ref-nic-2', 'gone-nic']);
  });

  it('R-NIC-11 (d): an ipam Prefix controlled by a NIC triggers that NIC; other owners trigger nothing', () => {
    const owned = (kind: string, controller: boolean) =>
      IroncorePrefix.parse({
        metadata: {
          name: 'my-nic-pf-1',
          namespace: 'default',
          ownerReferences: [{ apiVersion: 'networking.ironcore.dev/v1alpha1', kind, name: 'my-nic', uid: 'uid-my-nic', controller }],
        },
        spec: { prefix: '10.2.0.16/28' },
      });
    expect(networkInterfaceTriggeredByPrefix(owned('NetworkInterface', true))).toEqual({ namespace: 'default', name: 'my-nic' });
    expect(networkInterfaceTriggeredByPrefix(owned('LoadBalancer', true))).toBeUndefined();
    expect(networkInterfaceTriggeredByPrefix(owned('NetworkInterface', false))).toBeUndefined();
  });
});
