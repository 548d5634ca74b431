import { deletionStep } from '../../../shared/reconcile/core/common.ts';
import { describe, expect, it } from 'vitest';
import { IroncoreNetwork, IroncorePrefix } from '../../../shared/api/ironcore.ts';
import { finalizerPatch, goneProjections, lifecycleDecision } from '../../../shared/reconcile/core/common.ts';
import { ReconcileError, ServerFieldMissingError } from '../../../shared/reconcile/core/errors.ts';
import {
  NETWORK_FINALIZER,
  desiredApinetNetwork,
  networkFailureStatusPatch,
  networkPeerNames,
  networkPrefixRefNames,
  networkProviderIdPatch,
  networkStatusPatch,
  networkStatusPeerings,
  type ApinetNetworkInput,
  type NetworkObserved,
} from '../../../shared/reconcile/core/network.ts';

const ANS = 'apinetlet-system';
const OWN_UID = '3f1a2b4c-0000-4000-8000-000000000001';
const PEER_UID = '3f1a2b4c-0000-4000-8000-000000000002';

// ironcore-api.md 4.1 example, before the apinetlet touched it.
function ironcoreNetwork(overrides: { spec?: object; status?: object } = {}): IroncoreNetwork {
  return IroncoreNetwork.parse({
    apiVersion: 'networking.ironcore.dev/v1alpha1',
    kind: 'Network',
    metadata: { name: 'my-network', namespace: 'default', uid: OWN_UID, resourceVersion: '7', finalizers: [NETWORK_FINALIZER] },
    spec: {
      peerings: [
        {
          name: 'to-other',
          networkRef: { name: 'other-network' },
          prefixes: [
            { name: 'pp-cidr', prefix: '10.0.0.0/24' },
            { name: 'pp-ref', prefixRef: { name: 'shared-prefix' } },
          ],
        },
      ],
      incomingPeerings: [{ namespace: 'default', name: 'other-network', uid: PEER_UID }],
      ...overrides.spec,
    },
    ...(overrides.status ? { status: overrides.status } : {}),
  });
}

function apinetNetwork(name: string, id: string, extra: Partial<ApinetNetworkInput> = {}): ApinetNetworkInput {
  return { metadata: { name, namespace: ANS, uid: `apinet-${name}` }, spec: { id }, ...extra };
}

const allocatedPrefix = IroncorePrefix.parse({
  metadata: { name: 'shared-prefix', namespace: 'default' },
  spec: { ipFamily: 'IPv4', prefix: '10.9.0.0/24' },
  status: { phase: 'Allocated' },
});

function observed(over: Partial<NetworkObserved> = {}): NetworkObserved {
  return {
    network: ironcoreNetwork(),
    peerApinetNetworks: { [PEER_UID]: apinetNetwork(PEER_UID, '7654321') },
    prefixes: { 'shared-prefix': allocatedPrefix },
    settings: { apinetNamespace: ANS, peeringDisabled: false },
    ...over,
  };
}

describe('apinet Network projection', () => {
  it('R-GEN-07: full apply body named after the uid with origin labels and annotation', () => {
    const body = desiredApinetNetwork(observed());
    expect(body).toEqual({
      apiVersion: 'core.apinet.ironcore.dev/v1alpha1',
      kind: 'Network',
      metadata: {
        name: OWN_UID,
        namespace: ANS,
        labels: { 'apinetlet.ironcore.dev/network-uid': OWN_UID, 'apinetlet.ironcore.dev/network-namespace': 'default' },
        annotations: { 'apinetlet.ironcore.dev/network-name': 'my-network' },
      },
      spec: {
        peerings: [
          { name: 'to-other', id: '7654321', prefixes: [{ name: 'pp-cidr', prefix: '10.0.0.0/24' }, { name: 'pp-ref', prefix: '10.9.0.0/24' }] },
        ],
      },
    });
    // SRV-01/SRV-06: the server owns spec.id; we never send it.
    expect(body.spec).not.toHaveProperty('id');
  });

  it('R-NET-03: a prefixRef to a missing or unallocated Prefix is omitted, the peering stays', () => {
    const pending = IroncorePrefix.parse({ ...allocatedPrefix, status: { phase: 'Pending' } });
    for (const prefixes of [{}, { 'shared-prefix': pending }]) {
      const [peering] = desiredApinetNetwork(observed({ prefixes })).spec.peerings;
      expect(peering).toEqual({ name: 'to-other', id: '7654321', prefixes: [{ name: 'pp-cidr', prefix: '10.0.0.0/24' }] });
    }
  });

  it('R-NET-03: a literal prefix wins over prefixRef; an entry with neither is dropped', () => {
    const network = ironcoreNetwork({
      spec: {
        peerings: [
          {
            name: 'to-other',
            networkRef: { name: 'other-network' },
            prefixes: [{ name: 'both', prefix: '10.1.0.0/16', prefixRef: { name: 'shared-prefix' } }, { name: 'neither', prefixRef: {} }],
          },
        ],
      },
    });
    expect(networkPrefixRefNames(network)).toEqual([]);
    expect(desiredApinetNetwork(observed({ network })).spec.peerings[0].prefixes).toEqual([{ name: 'both', prefix: '10.1.0.0/16' }]);
  });

  it('R-NET-03: prefix references are read in the network namespace by name', () => {
    expect(networkPrefixRefNames(ironcoreNetwork())).toEqual(['shared-prefix']);
  });

  it('R-NET-05: an empty peering namespace means the network namespace; another namespace does not match', () => {
    const otherNs = ironcoreNetwork({ spec: { incomingPeerings: [{ namespace: 'other', name: 'other-network', uid: PEER_UID }] } });
    expect(desiredApinetNetwork(observed({ network: otherNs })).spec.peerings).toEqual([]);
    const explicitNs = ironcoreNetwork({
      spec: { peerings: [{ name: 'x', networkRef: { name: 'other-network', namespace: 'other' } }], incomingPeerings: [{ namespace: 'other', name: 'other-network', uid: PEER_UID }] },
    });
    expect(desiredApinetNetwork(observed({ network: explicitNs })).spec.peerings).toEqual([{ name: 'x', id: '7654321' }]);
  });

  it('R-NET-06: an incoming peering without a spec peering contributes nothing', () => {
    const network = ironcoreNetwork({ spec: { incomingPeerings: [{ namespace: 'default', name: 'stranger', uid: PEER_UID }] } });
    expect(desiredApinetNetwork(observed({ network })).spec.peerings).toEqual([]);
  });

  it('R-NET-07 [Go quirk]: a missing peer apinet Network is skipped, later peers still apply', () => {
    const third = '3f1a2b4c-0000-4000-8000-000000000003';
    const network = ironcoreNetwork({
      spec: {
        peerings: [
          { name: 'to-missing', networkRef: { name: 'missing' } },
          { name: 'to-third', networkRef: { name: 'third' } },
        ],
        incomingPeerings: [
          { namespace: 'default', name: 'missing', uid: PEER_UID },
          { namespace: 'default', name: 'third', uid: third },
        ],
      },
    });
    expect(networkPeerNames(network)).toEqual([PEER_UID, third]);
    const peerings = desiredApinetNetwork(observed({ network, peerApinetNetworks: { [third]: apinetNetwork(third, '4242') } })).spec.peerings;
    expect(peerings).toEqual([{ name: 'to-third', id: '4242' }]);
  });

  it('R-NET-08: emptied incoming peerings send an empty peering list', () => {
    const network = ironcoreNetwork({ spec: { incomingPeerings: [] } });
    expect(desiredApinetNetwork(observed({ network })).spec).toEqual({ peerings: [] });
  });

  it('origin metadata is required: a network without uid is a typed error naming the key', () => {
    const network = ironcoreNetwork();
    delete network.metadata.uid;
    expect(() => desiredApinetNetwork(observed({ network }))).toThrow(ReconcileError);
    expect(() => desiredApinetNetwork(observed({ network }))).toThrow(/default\/my-network/);
  });
});

describe('ironcore Network provider ID and status', () => {
  const applied = (status?: ApinetNetworkInput['status']): ApinetNetworkInput => ({
    metadata: { name: OWN_UID, namespace: ANS, uid: '9c7e5d1a-1111-4111-8111-000000000001' },
    spec: { id: '4711', peerings: [{ name: 'to-other', id: '7654321', prefixes: [{ name: 'pp-cidr', prefix: '10.0.0.0/24' }] }] },
    status,
  });

  it('R-NET-01: an empty provider ID is set from the applied apinet Network', () => {
    expect(networkProviderIdPatch(ironcoreNetwork(), applied())).toEqual({
      metadata: { resourceVersion: '7' },
      spec: { providerID: `ironcore-net://${ANS}/${OWN_UID}/4711/9c7e5d1a-1111-4111-8111-000000000001` },
    });
  });

  it('R-NET-01: a non-empty provider ID is never rewritten, even when different', () => {
    const network = ironcoreNetwork({ spec: { providerID: 'ironcore-net://elsewhere/x/1/y' } });
    expect(networkProviderIdPatch(network, applied())).toBeNull();
  });

  it('R-NET-01: without the server-assigned VNI the provider ID cannot be built (retryable)', () => {
    const noId = { ...applied(), spec: { peerings: [] } };
    const err = (() => {
      try {
        networkProviderIdPatch(ironcoreNetwork(), noId);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ServerFieldMissingError);
    expect(err).toMatchObject({ key: 'default/my-network', step: 'provider-id', retryable: true });
  });

  it('R-NET-09: status peerings matched by VNI, prefixes only when Ready, unknown ids ignored', () => {
    const status = { peerings: { 'zone-b': [{ id: 7654321, state: 'Pending' }, { id: 99, state: 'Ready' }], 'zone-a': [{ id: 7654321, state: 'Ready' }] } };
    expect(networkStatusPeerings(applied(status))).toEqual([
      { name: 'to-other', state: 'Ready', prefixes: [{ name: 'pp-cidr', prefix: '10.0.0.0/24' }] },
      { name: 'to-other', state: 'Pending' },
    ]);
  });

  it('R-NET-09 [Go quirk]: partitions are walked in sorted order whatever the map order', () => {
    const a = networkStatusPeerings(applied({ peerings: { b: [{ id: 7654321, state: 'Error' }], a: [{ id: 7654321, state: 'Pending' }] } }));
    const b = networkStatusPeerings(applied({ peerings: { a: [{ id: 7654321, state: 'Pending' }], b: [{ id: 7654321, state: 'Error' }] } }));
    expect(a).toEqual(b);
    expect(a.map((p) => p.state)).toEqual(['Pending', 'Error']);
  });

  it('status becomes Available with peerings; patched only when it differs', () => {
    const status = { peerings: { 'zone-a': [{ id: 7654321, state: 'Ready' }] } };
    const patch = networkStatusPatch(ironcoreNetwork(), applied(status), { peeringDisabled: false });
    expect(patch).toEqual({ status: { state: 'Available', peerings: [{ name: 'to-other', state: 'Ready', prefixes: [{ name: 'pp-cidr', prefix: '10.0.0.0/24' }] }] } });
    const current = ironcoreNetwork({ status: patch!.status });
    expect(networkStatusPatch(current, applied(status), { peeringDisabled: false })).toBeNull();
  });

  it('R-NET-09: null and absent prefixes compare equal, so an unchanged status is not patched again', () => {
    const status = { peerings: { 'zone-a': [{ id: 7654321, state: 'Pending' }] } };
    const current = ironcoreNetwork({ status: { state: 'Available', peerings: [{ name: 'to-other', state: 'Pending', prefixes: null }] } });
    expect(networkStatusPatch(current, applied(status), { peeringDisabled: false })).toBeNull();
  });

  it('R-NET-08: peerings gone from the spec clear the ironcore status peerings', () => {
    const current = ironcoreNetwork({ status: { state: 'Available', peerings: [{ name: 'to-other', state: 'Ready' }] } });
    const emptied: ApinetNetworkInput = { ...applied({ peerings: { 'zone-a': [{ id: 7654321, state: 'Ready' }] } }), spec: { id: '4711', peerings: [] } };
    expect(networkStatusPatch(current, emptied, { peeringDisabled: false })).toEqual({ status: { state: 'Available', peerings: null } });
  });

  it('R-NET-10 [Go quirk]: with peering disabled, peerings are never compared nor written', () => {
    const status = { peerings: { 'zone-a': [{ id: 7654321, state: 'Ready' }] } };
    expect(networkStatusPatch(ironcoreNetwork(), applied(status), { peeringDisabled: true })).toEqual({ status: { state: 'Available' } });
    const available = ironcoreNetwork({ status: { state: 'Available' } });
    expect(networkStatusPatch(available, applied(status), { peeringDisabled: true })).toBeNull();
    // A state change keeps whatever peerings the status already had, not the freshly computed ones.
    const pending = ironcoreNetwork({ status: { state: 'Pending', peerings: [{ name: 'old', state: 'Error' }] } });
    expect(networkStatusPatch(pending, applied(status), { peeringDisabled: true })).toEqual({ status: { state: 'Available', peerings: [{ name: 'old', state: 'Error' }] } });
  });

  it('R-NET-02 [Go quirk]: apply failure sets Pending unless already Available; peerings untouched', () => {
    expect(networkFailureStatusPatch(ironcoreNetwork())).toEqual({ status: { state: 'Pending' } });
    expect(networkFailureStatusPatch(ironcoreNetwork({ status: { state: 'Error', peerings: [{ name: 'p', state: 'Ready' }] } }))).toEqual({
      status: { state: 'Pending', peerings: [{ name: 'p', state: 'Ready' }] },
    });
    expect(networkFailureStatusPatch(ironcoreNetwork({ status: { state: 'Pending' } }))).toBeNull();
    expect(networkFailureStatusPatch(ironcoreNetwork({ status: { state: 'Available', peerings: [{ name: 'p', state: 'Ready' }] } }))).toBeNull();
  });
});

describe('Network lifecycle', () => {
  it('R-GEN-01/R-GEN-02: finalizer first; deleting without it is ignored', () => {
    const meta = ironcoreNetwork().metadata;
    expect(lifecycleDecision(meta, NETWORK_FINALIZER)).toBe('reconcile');
    expect(lifecycleDecision({ ...meta, finalizers: [] }, NETWORK_FINALIZER)).toBe('add-finalizer');
    expect(lifecycleDecision({ ...meta, deletionTimestamp: '2026-01-01T00:00:00Z' }, NETWORK_FINALIZER)).toBe('delete');
    expect(lifecycleDecision({ ...meta, finalizers: ['other'], deletionTimestamp: '2026-01-01T00:00:00Z' }, NETWORK_FINALIZER)).toBe('ignore');
  });

  it('R-NET-11: delete and wait while the apinet Network exists; remove the finalizer once gone', () => {
    expect(deletionStep(true)).toBe('delete-apinet-and-wait');
    expect(deletionStep(false)).toBe('remove-finalizer');
  });

  it('R-GEN-01: the finalizer patch is guarded by resourceVersion and only added once', () => {
    const meta = { resourceVersion: '7', finalizers: ['networking.ironcore.dev/network'] };
    expect(finalizerPatch(meta, NETWORK_FINALIZER, 'add')).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
      { op: 'add', path: '/metadata/finalizers/-', value: NETWORK_FINALIZER },
    ]);
    expect(finalizerPatch({ resourceVersion: '7' }, NETWORK_FINALIZER, 'add')).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
      { op: 'add', path: '/metadata/finalizers', value: [NETWORK_FINALIZER] },
    ]);
    expect(finalizerPatch({ finalizers: [NETWORK_FINALIZER] }, NETWORK_FINALIZER, 'add')).toBeNull();
  });

  it('R-NET-11: removing the finalizer tests its position first; absent → nothing to do', () => {
    const meta = { resourceVersion: '9', finalizers: ['a', NETWORK_FINALIZER] };
    expect(finalizerPatch(meta, NETWORK_FINALIZER, 'remove')).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '9' },
      { op: 'test', path: '/metadata/finalizers/1', value: NETWORK_FINALIZER },
      { op: 'remove', path: '/metadata/finalizers/1' },
    ]);
    expect(finalizerPatch({ finalizers: ['a'] }, NETWORK_FINALIZER, 'remove')).toBeNull();
  });

  it('R-GEN-06 / NET-02: dangling projections are chosen by namespace label and name annotation, not uid', () => {
    const obj = (uid: string, ns: string, name: string) => ({
      metadata: {
        name: uid,
        labels: { 'apinetlet.ironcore.dev/network-uid': uid, 'apinetlet.ironcore.dev/network-namespace': ns },
        annotations: { 'apinetlet.ironcore.dev/network-name': name },
      },
    });
    const listed = [obj('u1', 'default', 'my-network'), obj('u2', 'default', 'my-network'), obj('u3', 'default', 'other'), obj('u4', 'elsewhere', 'my-network')];
    expect(goneProjections(listed, 'Network', 'default', 'my-network').map((o) => o.metadata.name)).toEqual(['u1', 'u2']);
    expect(goneProjections([{ metadata: { labels: { 'apinetlet.ironcore.dev/network-namespace': 'default' }, annotations: { 'apinetlet.ironcore.dev/network-name': 'my-network' } } }], 'Network', 'default', 'my-network')).toEqual([]);
  });
});
