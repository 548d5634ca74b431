import { describe, expect, it } from 'vitest';
import { ApinetNetworkInterface } from '../../../shared/api/apinet.ts';
import { IroncoreNetworkInterface, IroncorePrefix, IroncoreVirtualIP } from '../../../shared/api/ironcore.ts';
import {
  NETWORK_INTERFACE_FINALIZER,
  networkInterfaceDeletion,
  networkInterfacePrefixReads,
  networkInterfaceVanished,
  planNetworkInterface,
  type NetworkInterfaceObserved,
} from '../../../shared/reconcile/core/networkinterface.ts';
import { networkInterfaceStateFrom } from '../../../shared/reconcile/core/networkinterface-status.ts';

const ANS = 'apinetlet-system';
const NIC_UID = '3f1a2b4c-0000-4000-8000-000000000003';
const OTHER_NIC_UID = '3f1a2b4c-0000-4000-8000-0000000000ff';
const APINET_NIC_UID = '9c7e5d1a-1111-4111-8111-000000000003';
const NOW = new Date('2026-03-04T05:06:07.891Z');
const NOW_TEXT = '2026-03-04T05:06:07Z';

const ORIGIN_LABELS = {
  'apinetlet.ironcore.dev/networkinterface-uid': NIC_UID,
  'apinetlet.ironcore.dev/networkinterface-namespace': 'default',
};
const ORIGIN_ANNOTATIONS = { 'apinetlet.ironcore.dev/networkinterface-name': 'my-nic' };

// ironcore-api.md 4.2 example (status as the apinetlet would have left it before).
function ironcoreNic(spec: object = {}, metadata: object = {}, status?: object): IroncoreNetworkInterface {
  return IroncoreNetworkInterface.parse({
    apiVersion: 'networking.ironcore.dev/v1alpha1',
    kind: 'NetworkInterface',
    metadata: { name: 'my-nic', namespace: 'default', uid: NIC_UID, resourceVersion: '11', labels: { app: 'web' }, finalizers: [NETWORK_INTERFACE_FINALIZER], ...metadata },
    spec: {
      providerID: `ironcore-net://apinet-ns/nic-abc12/node-1/${APINET_NIC_UID}`,
      networkRef: { name: 'my-network' },
      ipFamilies: ['IPv4'],
      ips: [{ value: '10.0.0.5' }],
      prefixes: [{ value: '10.1.0.0/28' }, { ephemeral: { prefixTemplate: { spec: { ipFamily: 'IPv4', prefixLength: 28 } } } }],
      virtualIP: { ephemeral: { virtualIPTemplate: { spec: { type: 'Public', ipFamily: 'IPv4', reclaimPolicy: 'Delete' } } } },
      ...spec,
    },
    status: status ?? { state: 'Pending' },
  });
}

// apinet-api.md 5.11 example, before the claim.
function apinetNic(over: { name?: string; uid?: string; labels?: object; annotations?: object; spec?: object; status?: object; deletionTimestamp?: string } = {}): ApinetNetworkInterface {
  return ApinetNetworkInterface.parse({
    metadata: {
      name: over.name ?? 'apinet-nic-x7k2p',
      namespace: ANS,
      uid: over.uid ?? APINET_NIC_UID,
      resourceVersion: '21',
      labels: over.labels ?? {},
      annotations: over.annotations ?? {},
      ...(over.deletionTimestamp ? { deletionTimestamp: over.deletionTimestamp } : {}),
    },
    spec: {
      nodeRef: { name: 'zone-a.node-1' },
      networkRef: { name: '5b4c7d5e-2f1a-4e0b-9a53-2c6a0f1d8e11' },
      ips: ['192.168.178.10'],
      natGateways: [
        { ipFamily: 'IPv4', claimRef: { name: 'natgw-v4', uid: 'natgw-v4-uid' } },
        { ipFamily: 'IPv6', claimRef: { name: 'natgw-v6', uid: 'natgw-v6-uid' } },
      ],
      ...over.spec,
    },
    status: over.status ?? { state: 'Ready', publicIPs: ['fd00::99', '10.0.0.17'] },
  });
}

const claimedMeta = { labels: ORIGIN_LABELS, annotations: ORIGIN_ANNOTATIONS };

// ironcore-api.md 4.3 example, not yet claimed.
function vip(name = 'my-nic', targetRef?: { name: string; uid: string } | null, ip: string | null = '10.0.0.17', metadata: object = {}): IroncoreVirtualIP {
  return IroncoreVirtualIP.parse({
    metadata: { name, namespace: 'default', uid: `uid-vip-${name}`, resourceVersion: '31', ...metadata },
    spec: { type: 'Public', ipFamily: 'IPv4', ...(targetRef ? { targetRef } : {}) },
    ...(ip ? { status: { ip } } : {}),
  });
}

const allocatedPf1 = IroncorePrefix.parse({
  metadata: { name: 'my-nic-pf-1', namespace: 'default' },
  spec: { ipFamily: 'IPv4', prefix: '10.2.0.16/28' },
  status: { phase: 'Allocated' },
});

function observed(over: Partial<NetworkInterfaceObserved> = {}): NetworkInterfaceObserved {
  return {
    networkInterface: ironcoreNic(),
    apinetNetworkInterfaces: [apinetNic()],
    virtualIPs: [vip()],
    prefixes: { 'my-nic-pf-1': allocatedPf1 },
    settings: { apinetNamespace: ANS },
    ...over,
  };
}

const PUBLIC_IP = { name: '10.0.0.17', ipFamily: 'IPv4', ip: '10.0.0.17' };
const NAT_V6 = { ipFamily: 'IPv6', claimRef: { name: 'natgw-v6', uid: 'natgw-v6-uid' } };
const PREFIXES = ['10.1.0.0/28', '10.2.0.16/28'];

describe('NetworkInterface claim and apinet NIC (behavior.md 3.5)', () => {
  it('first pass: claims the free apinet NIC and the VIP, writes spec and mirrors status', () => {
    const plan = planNetworkInterface(observed(), NOW);
    expect(plan.virtualIPWrites).toEqual([
      { name: 'my-nic', action: 'claim', patch: { metadata: { resourceVersion: '31' }, spec: { targetRef: { name: 'my-nic', uid: NIC_UID } } } },
    ]);
    expect(plan.apinetNetworkInterfaceWrites).toEqual([
      {
        name: 'apinet-nic-x7k2p',
        action: 'claim',
        patch: {
          metadata: { resourceVersion: '21', labels: { app: 'web', ...ORIGIN_LABELS }, annotations: ORIGIN_ANNOTATIONS },
          spec: { publicIPs: [PUBLIC_IP], prefixes: PREFIXES, natGateways: [NAT_V6] },
        },
      },
    ]);
    expect(plan.claimedApinetNetworkInterface).toBe('apinet-nic-x7k2p');
    expect(plan.statusPatch).toEqual({
      status: { state: 'Available', ips: ['192.168.178.10'], prefixes: PREFIXES, virtualIP: '10.0.0.17', lastStateTransitionTime: NOW_TEXT },
    });
  });

  it('R-NIC-01: an empty provider ID leaves the NIC Pending with ips, prefixes and virtualIP cleared', () => {
    const nic = ironcoreNic({ providerID: '' }, {}, { state: 'Available', ips: ['10.0.0.5'], prefixes: ['10.1.0.0/28'], virtualIP: '10.0.0.17' });
    const plan = planNetworkInterface(observed({ networkInterface: nic }), NOW);
    expect(plan.claimedApinetNetworkInterface).toBeUndefined();
    expect(plan.apinetNetworkInterfaceWrites).toEqual([]);
    expect(plan.statusPatch).toEqual({ status: { state: 'Pending', ips: null, prefixes: null, virtualIP: null, lastStateTransitionTime: NOW_TEXT } });
  });

  it('R-NIC-01: no apinet NIC with the provider-ID UID → Pending', () => {
    const nic = ironcoreNic({}, {}, { state: 'Available', ips: ['192.168.178.10'], virtualIP: '10.0.0.17' });
    const plan = planNetworkInterface(observed({ networkInterface: nic, apinetNetworkInterfaces: [apinetNic({ uid: 'some-other-uid' })] }), NOW);
    expect(plan.claimedApinetNetworkInterface).toBeUndefined();
    expect(plan.apinetNetworkInterfaceWrites).toEqual([]);
    expect(plan.statusPatch).toEqual({ status: { state: 'Pending', ips: null, prefixes: null, virtualIP: null, lastStateTransitionTime: NOW_TEXT } });
  });

  it('R-NIC-01: lastStateTransitionTime is only set when the state changes', () => {
    const stale = ironcoreNic({ providerID: '' }, {}, { state: 'Pending', lastStateTransitionTime: '2026-01-02T03:04:05Z', ips: ['10.0.0.5'] });
    expect(planNetworkInterface(observed({ networkInterface: stale }), NOW).statusPatch).toEqual({ status: { state: 'Pending', ips: null, prefixes: null, virtualIP: null } });
    const clean = ironcoreNic({ providerID: '' }, {}, { state: 'Pending', lastStateTransitionTime: '2026-01-02T03:04:05Z' });
    expect(planNetworkInterface(observed({ networkInterface: clean }), NOW).statusPatch).toBeUndefined();
  });

  it('R-NIC-01: a status without any state gets Pending written', () => {
    const nic = ironcoreNic({ providerID: '' }, {}, {});
    expect(planNetworkInterface(observed({ networkInterface: nic }), NOW).statusPatch).toEqual({
      status: { state: 'Pending', ips: null, prefixes: null, virtualIP: null, lastStateTransitionTime: NOW_TEXT },
    });
  });

  it('R-NIC-02: state mapping Ready→Available, Pending→Pending, Error→Error, empty/other→Pending', () => {
    expect(['Ready', 'Pending', 'Error', '', undefined, 'Booting'].map(networkInterfaceStateFrom)).toEqual(['Available', 'Pending', 'Error', 'Pending', 'Pending', 'Pending']);
    const erroring = apinetNic({ ...claimedMeta, spec: { publicIPs: [PUBLIC_IP], prefixes: PREFIXES, natGateways: [NAT_V6] }, status: { state: 'Error' } });
    const plan = planNetworkInterface(observed({ apinetNetworkInterfaces: [erroring] }), NOW);
    expect(plan.statusPatch?.status).toMatchObject({ state: 'Error', virtualIP: null, lastStateTransitionTime: NOW_TEXT });
  });

  it('R-NIC-02: virtualIP is the first IPv4 of apinet status.publicIPs; IPv6 only → none', () => {
    const v6only = apinetNic({ ...claimedMeta, spec: { publicIPs: [PUBLIC_IP], prefixes: PREFIXES, natGateways: [NAT_V6] }, status: { state: 'Ready', publicIPs: ['fd00::99'] } });
    expect(planNetworkInterface(observed({ apinetNetworkInterfaces: [v6only] }), NOW).statusPatch?.status.virtualIP).toBeNull();
  });

  it('R-NIC-02: the status is not patched when it already mirrors the apinet NIC', () => {
    const held = apinetNic({ ...claimedMeta, spec: { publicIPs: [PUBLIC_IP], prefixes: PREFIXES, natGateways: [NAT_V6] } });
    const nic = ironcoreNic({}, {}, { state: 'Available', lastStateTransitionTime: '2026-01-02T03:04:05Z', ips: ['192.168.178.10'], prefixes: PREFIXES, virtualIP: '10.0.0.17' });
    const plan = planNetworkInterface(observed({ networkInterface: nic, apinetNetworkInterfaces: [held], virtualIPs: [vip('my-nic', { name: 'my-nic', uid: NIC_UID })] }), NOW);
    expect(plan.statusPatch).toBeUndefined();
  });

  it('R-NIC-03: a public IPv4 removes the IPv4 NAT entry and keeps the IPv6 one', () => {
    const plan = planNetworkInterface(observed(), NOW);
    expect(plan.apinetNetworkInterfaceWrites[0].patch.spec).toMatchObject({ natGateways: [NAT_V6] });
  });

  it('R-NIC-03: without a public IP every NAT entry stays (no natGateways change)', () => {
    const plan = planNetworkInterface(observed({ virtualIPs: [] }), NOW);
    expect(plan.apinetNetworkInterfaceWrites[0].patch.spec).toEqual({ prefixes: PREFIXES });
  });

  it('R-NIC-04: literal prefixes plus Allocated ipam Prefixes <nic>-pf-<i>; pending or missing ones are omitted', () => {
    expect(networkInterfacePrefixReads(ironcoreNic())).toEqual(['my-nic-pf-1']);
    const pending = IroncorePrefix.parse({ metadata: { name: 'my-nic-pf-1', namespace: 'default' }, spec: { prefix: '10.2.0.16/28' }, status: { phase: 'Pending' } });
    for (const prefixes of [{ 'my-nic-pf-1': pending }, {}]) {
      const plan = planNetworkInterface(observed({ prefixes }), NOW);
      expect(plan.apinetNetworkInterfaceWrites[0].patch.spec).toMatchObject({ prefixes: ['10.1.0.0/28'] });
      expect(plan.statusPatch?.status.prefixes).toEqual(['10.1.0.0/28']);
    }
  });

  it('R-NIC-05: the public IP comes from the referenced VirtualIP in {name: ip, ipFamily, ip} form', () => {
    const nic = ironcoreNic({ virtualIP: { virtualIPRef: { name: 'shared-vip' } } });
    const plan = planNetworkInterface(observed({ networkInterface: nic, virtualIPs: [vip('my-nic', null, '10.0.0.3'), vip('shared-vip', null, '10.0.0.4')] }), NOW);
    expect(plan.virtualIPWrites.map((w) => [w.name, w.action])).toEqual([['shared-vip', 'claim']]);
    expect(plan.apinetNetworkInterfaceWrites[0].patch.spec).toMatchObject({ publicIPs: [{ name: '10.0.0.4', ipFamily: 'IPv4', ip: '10.0.0.4' }] });
  });

  it('R-NIC-05: a VIP targeting another object is left alone and yields no public IP', () => {
    const plan = planNetworkInterface(observed({ virtualIPs: [vip('my-nic', { name: 'other-nic', uid: OTHER_NIC_UID })] }), NOW);
    expect(plan.virtualIPWrites).toEqual([]);
    expect(plan.apinetNetworkInterfaceWrites[0].patch.spec).not.toHaveProperty('publicIPs');
  });

  it('R-NIC-05: a free VIP that is being deleted is not adopted', () => {
    const plan = planNetworkInterface(observed({ virtualIPs: [vip('my-nic', null, '10.0.0.17', { deletionTimestamp: '2026-01-02T03:04:05Z', finalizers: ['x'] })] }), NOW);
    expect(plan.virtualIPWrites).toEqual([]);
    expect(plan.apinetNetworkInterfaceWrites[0].patch.spec).not.toHaveProperty('publicIPs');
  });

  it('R-NIC-05: a claimed VIP without status.ip yields no public IP', () => {
    const plan = planNetworkInterface(observed({ virtualIPs: [vip('my-nic', { name: 'my-nic', uid: NIC_UID }, null)] }), NOW);
    expect(plan.virtualIPWrites).toEqual([]);
    expect(plan.apinetNetworkInterfaceWrites[0].patch.spec).not.toHaveProperty('publicIPs');
    expect(plan.apinetNetworkInterfaceWrites[0].patch.spec).not.toHaveProperty('natGateways');
  });

  it('R-NIC-06: a VIP targeting the NIC that it no longer references loses its targetRef', () => {
    const nic = ironcoreNic({ virtualIP: null });
    const plan = planNetworkInterface(observed({ networkInterface: nic, virtualIPs: [vip('my-nic', { name: 'my-nic', uid: NIC_UID })] }), NOW);
    expect(plan.virtualIPWrites).toEqual([{ name: 'my-nic', action: 'release', patch: { metadata: { resourceVersion: '31' }, spec: { targetRef: null } } }]);
  });

  it('R-NIC-07: an apinet NIC claimed by another ironcore NIC is not touched and the NIC goes Pending', () => {
    const taken = apinetNic({
      labels: { 'apinetlet.ironcore.dev/networkinterface-uid': OTHER_NIC_UID, 'apinetlet.ironcore.dev/networkinterface-namespace': 'default' },
      annotations: { 'apinetlet.ironcore.dev/networkinterface-name': 'other-nic' },
    });
    const nic = ironcoreNic({}, {}, { state: 'Available', ips: ['192.168.178.10'] });
    const plan = planNetworkInterface(observed({ networkInterface: nic, apinetNetworkInterfaces: [taken] }), NOW);
    expect(plan.apinetNetworkInterfaceWrites).toEqual([]);
    expect(plan.statusPatch?.status).toMatchObject({ state: 'Pending', ips: null, lastStateTransitionTime: NOW_TEXT });
  });

  it('R-NIC-08: a provider ID change releases the old apinet NIC and adopts the new one', () => {
    const oldNic = apinetNic({ name: 'apinet-nic-old', uid: 'old-uid', ...claimedMeta, spec: { publicIPs: [PUBLIC_IP], prefixes: PREFIXES } });
    const plan = planNetworkInterface(observed({ apinetNetworkInterfaces: [oldNic, apinetNic()] }), NOW);
    expect(plan.apinetNetworkInterfaceWrites[0]).toEqual({
      name: 'apinet-nic-old',
      action: 'release',
      patch: {
        metadata: {
          resourceVersion: '21',
          labels: { 'apinetlet.ironcore.dev/networkinterface-uid': null, 'apinetlet.ironcore.dev/networkinterface-namespace': null },
          annotations: { 'apinetlet.ironcore.dev/networkinterface-name': null },
        },
        spec: { publicIPs: null, prefixes: null },
      },
    });
    expect(plan.apinetNetworkInterfaceWrites[1]).toMatchObject({ name: 'apinet-nic-x7k2p', action: 'claim' });
    expect(plan.claimedApinetNetworkInterface).toBe('apinet-nic-x7k2p');
  });

  it('R-NIC-12: an apinet NIC that already has the desired publicIPs, prefixes and natGateways gets no write', () => {
    // The server defaults publicIPs[].ipFamily; an entry read back without it still counts as equal.
    const held = apinetNic({ ...claimedMeta, spec: { publicIPs: [{ name: '10.0.0.17', ip: '10.0.0.17' }], prefixes: PREFIXES, natGateways: [NAT_V6] } });
    const plan = planNetworkInterface(observed({ apinetNetworkInterfaces: [held], virtualIPs: [vip('my-nic', { name: 'my-nic', uid: NIC_UID })] }), NOW);
    expect(plan.apinetNetworkInterfaceWrites).toEqual([]);
    expect(plan.virtualIPWrites).toEqual([]);
  });

  it('R-NIC-12: a change in order is a change', () => {
    const held = apinetNic({ ...claimedMeta, spec: { publicIPs: [PUBLIC_IP], prefixes: [...PREFIXES].reverse(), natGateways: [NAT_V6] } });
    const plan = planNetworkInterface(observed({ apinetNetworkInterfaces: [held], virtualIPs: [vip('my-nic', { name: 'my-nic', uid: NIC_UID })] }), NOW);
    expect(plan.apinetNetworkInterfaceWrites).toEqual([{ name: 'apinet-nic-x7k2p', action: 'update', patch: { metadata: { resourceVersion: '21' }, spec: { prefixes: PREFIXES } } }]);
  });

  it('R-NIC-13: only the UID segment matches; namespace, name and node segments are ignored', () => {
    const nic = ironcoreNic({ providerID: `elsewhere/some-name/zone-b.node-7/${APINET_NIC_UID}` });
    expect(planNetworkInterface(observed({ networkInterface: nic }), NOW).claimedApinetNetworkInterface).toBe('apinet-nic-x7k2p');
  });

  it('R-NIC-13: a node segment that is not a DNS subdomain rejects the whole provider ID', () => {
    for (const providerID of [`ironcore-net://apinet-ns/nic-abc12/Node_1/${APINET_NIC_UID}`, `ironcore-net://apinet-ns/node-1/${APINET_NIC_UID}`]) {
      const plan = planNetworkInterface(observed({ networkInterface: ironcoreNic({ providerID }) }), NOW);
      expect(plan.claimedApinetNetworkInterface).toBeUndefined();
      expect(plan.statusPatch).toBeUndefined(); // already Pending and clear
    }
  });

  it('R-NIC-13: a free apinet NIC that is being deleted is not adopted', () => {
    const plan = planNetworkInterface(observed({ apinetNetworkInterfaces: [apinetNic({ deletionTimestamp: '2026-01-02T03:04:05Z' })] }), NOW);
    expect(plan.claimedApinetNetworkInterface).toBeUndefined();
  });
});

describe('NetworkInterface deletion and disappearance', () => {
  const deleting = ironcoreNic({}, { deletionTimestamp: '2026-01-02T03:04:05Z' });
  const held = apinetNic({ ...claimedMeta, spec: { publicIPs: [PUBLIC_IP], prefixes: PREFIXES, natGateways: [NAT_V6] } });
  const foreign = apinetNic({
    name: 'foreign',
    uid: 'foreign-uid',
    labels: { 'apinetlet.ironcore.dev/networkinterface-uid': OTHER_NIC_UID, 'apinetlet.ironcore.dev/networkinterface-namespace': 'default' },
    annotations: { 'apinetlet.ironcore.dev/networkinterface-name': 'other-nic' },
  });

  it('R-NIC-09: the held apinet NIC loses origin keys, publicIPs and prefixes (natGateways untouched); VIPs targeting the NIC are released', () => {
    const result = networkInterfaceDeletion({
      networkInterface: deleting,
      apinetNetworkInterfaces: [held, foreign],
      virtualIPs: [vip('my-nic', { name: 'my-nic', uid: NIC_UID }), vip('other', { name: 'other-nic', uid: OTHER_NIC_UID }), vip('free')],
      settings: { apinetNamespace: ANS },
    });
    expect(result.apinetNetworkInterfaceWrites).toHaveLength(1);
    expect(result.apinetNetworkInterfaceWrites[0]).toMatchObject({ name: 'apinet-nic-x7k2p', action: 'release', patch: { spec: { publicIPs: null, prefixes: null } } });
    expect(result.apinetNetworkInterfaceWrites[0].patch.spec).not.toHaveProperty('natGateways');
    expect(result.virtualIPWrites).toEqual([{ name: 'my-nic', action: 'release', patch: { metadata: { resourceVersion: '31' }, spec: { targetRef: null } } }]);
    expect(result.removeFinalizer).toBe(true);
  });

  it('R-NIC-09 / R-GEN-02: a deleting NIC without the finalizer touches nothing', () => {
    const result = networkInterfaceDeletion({
      networkInterface: ironcoreNic({}, { deletionTimestamp: '2026-01-02T03:04:05Z', finalizers: ['other/finalizer'] }),
      apinetNetworkInterfaces: [held],
      virtualIPs: [vip('my-nic', { name: 'my-nic', uid: NIC_UID })],
      settings: { apinetNamespace: ANS },
    });
    expect(result).toEqual({ virtualIPWrites: [], apinetNetworkInterfaceWrites: [], removeFinalizer: false });
  });

  it('R-NIC-10: a vanished NIC key removes only the origin keys of apinet NICs naming it', () => {
    const writes = networkInterfaceVanished({ namespace: 'default', name: 'my-nic' }, [held, foreign]);
    expect(writes).toEqual([
      {
        name: 'apinet-nic-x7k2p',
        action: 'forget',
        patch: {
          metadata: {
            resourceVersion: '21',
            labels: { 'apinetlet.ironcore.dev/networkinterface-uid': null, 'apinetlet.ironcore.dev/networkinterface-namespace': null },
            annotations: { 'apinetlet.ironcore.dev/networkinterface-name': null },
          },
        },
      },
    ]);
  });
});
