import { deletionStep } from '../../../shared/reconcile/core/common.ts';
import { describe, expect, it } from 'vitest';
import { ApinetNATGateway } from '../../../shared/api/apinet.ts';
import { IroncoreNATGateway, IroncoreNetwork } from '../../../shared/api/ironcore.ts';
import { lifecycleDecision } from '../../../shared/reconcile/core/common.ts';
import { ReconcileError } from '../../../shared/reconcile/core/errors.ts';
import {
  NAT_GATEWAY_FINALIZER,
  desiredApinetNATGatewayAutoscaler,
  natGatewayPlan,
  natGatewayReads,
  natGatewayStatusPatch,
  natGatewayUsesNetwork,
  type NATGatewayObserved,
} from '../../../shared/reconcile/core/natgateway.ts';

const ANS = 'apinetlet-system';
const NATGW_UID = '3f1a2b4c-0000-4000-8000-000000000005';
const NET_UID = '3f1a2b4c-0000-4000-8000-000000000001';
const L = { 'apinetlet.ironcore.dev/natgateway-uid': NATGW_UID, 'apinetlet.ironcore.dev/natgateway-namespace': 'default' };
const A = { 'apinetlet.ironcore.dev/natgateway-name': 'my-natgw' };

// ironcore-api.md 4.6 example.
const natGateway = (spec: object = {}, status?: object) =>
  IroncoreNATGateway.parse({
    apiVersion: 'networking.ironcore.dev/v1alpha1',
    kind: 'NATGateway',
    metadata: { name: 'my-natgw', namespace: 'default', uid: NATGW_UID, finalizers: [NAT_GATEWAY_FINALIZER] },
    spec: { type: 'Public', ipFamily: 'IPv4', networkRef: { name: 'my-network' }, portsPerNetworkInterface: 1024, ...spec },
    ...(status ? { status } : {}),
  });
const network = IroncoreNetwork.parse({ metadata: { name: 'my-network', namespace: 'default', uid: NET_UID } });
const observed = (over: Partial<NATGatewayObserved> = {}): NATGatewayObserved => ({ natGateway: natGateway(), network, settings: { apinetNamespace: ANS }, ...over });

// apinet-api.md 5.8 example, as returned by the apply.
const appliedNatGateway = (ips: Array<{ name: string; ip?: string | null }>) =>
  ApinetNATGateway.parse({
    metadata: { name: NATGW_UID, namespace: ANS, uid: 'apinet-natgw-uid', labels: L, annotations: A },
    spec: { ipFamily: 'IPv4', networkRef: { name: NET_UID }, ips, portsPerNetworkInterface: 1024 },
    status: { usedNATIPs: 3, requestedNATIPs: 3 },
  });

describe('apinet NATGateway projection', () => {
  it('R-NATGW-01: ipFamily, network uid and ports per NIC; no spec.ips, no type', () => {
    expect(natGatewayPlan(observed())).toEqual({
      action: 'apply',
      natGateway: {
        apiVersion: 'core.apinet.ironcore.dev/v1alpha1',
        kind: 'NATGateway',
        metadata: { name: NATGW_UID, namespace: ANS, labels: L, annotations: A },
        spec: { ipFamily: 'IPv4', networkRef: { name: NET_UID }, portsPerNetworkInterface: 1024 },
      },
    });
  });

  it('R-NATGW-01: ports per NIC default to 2048 when unset', () => {
    for (const ppni of [undefined, null]) {
      const plan = natGatewayPlan(observed({ natGateway: natGateway({ portsPerNetworkInterface: ppni }) }));
      expect(plan.action === 'apply' && plan.natGateway.spec.portsPerNetworkInterface).toBe(2048);
    }
  });

  it('R-NATGW-01: without the ironcore Network nothing is applied and nothing fails', () => {
    expect(natGatewayReads(natGateway())).toEqual({ namespace: 'default', network: 'my-network' });
    const plan = natGatewayPlan(observed({ network: null }));
    expect(plan).toMatchObject({ action: 'skip', reason: 'network-missing' });
  });

  it('R-NATGW-02: autoscaler min 1, max 10, origin and exactly one controller owner reference', () => {
    expect(desiredApinetNATGatewayAutoscaler(observed(), appliedNatGateway([]))).toEqual({
      apiVersion: 'core.apinet.ironcore.dev/v1alpha1',
      kind: 'NATGatewayAutoscaler',
      metadata: {
        name: NATGW_UID,
        namespace: ANS,
        labels: L,
        annotations: A,
        ownerReferences: [{ apiVersion: 'core.apinet.ironcore.dev/v1alpha1', kind: 'NATGateway', name: NATGW_UID, uid: 'apinet-natgw-uid', controller: true, blockOwnerDeletion: true }],
      },
      spec: { natGatewayRef: { name: NATGW_UID }, minPublicIPs: 1, maxPublicIPs: 10 },
    });
  });

  it('R-NATGW-02: an applied gateway without uid is a typed error naming the key', () => {
    const noUid = { metadata: { name: NATGW_UID } };
    expect(() => desiredApinetNATGatewayAutoscaler(observed(), noUid)).toThrow(ReconcileError);
    expect(() => desiredApinetNATGatewayAutoscaler(observed(), noUid)).toThrow(/default\/my-natgw/);
  });
});

describe('ironcore NATGateway status, triggers and deletion', () => {
  it('R-NATGW-03: status.ips follow the apinet spec.ips in order (added, changed, removed)', () => {
    const added = natGatewayStatusPatch(natGateway(), appliedNatGateway([{ name: 'x7bqz2m4kd', ip: '10.0.0.9' }]));
    expect(added).toEqual({ status: { ips: ['10.0.0.9'] } });
    const withOne = natGateway({}, { ips: ['10.0.0.9'] });
    expect(natGatewayStatusPatch(withOne, appliedNatGateway([{ name: 'x7bqz2m4kd', ip: '10.0.0.9' }]))).toBeNull();
    expect(natGatewayStatusPatch(withOne, appliedNatGateway([{ name: 'x7bqz2m4kd', ip: '10.0.0.8' }, { name: 'b', ip: '10.0.0.9' }]))).toEqual({
      status: { ips: ['10.0.0.8', '10.0.0.9'] },
    });
  });

  it('R-NATGW-03: shrinking to empty clears the status; unallocated entries are not reported', () => {
    const withOne = natGateway({}, { ips: ['10.0.0.9'] });
    expect(natGatewayStatusPatch(withOne, appliedNatGateway([]))).toEqual({ status: { ips: null } });
    expect(natGatewayStatusPatch(withOne, appliedNatGateway([{ name: 'pending' }]))).toEqual({ status: { ips: null } });
    expect(natGatewayStatusPatch(natGateway(), appliedNatGateway([{ name: 'pending', ip: null }]))).toBeNull();
  });

  it('R-NATGW-04: delete the apinet NATGateway and wait; finalizer removed once it is gone', () => {
    expect(lifecycleDecision({ ...natGateway().metadata, deletionTimestamp: '2026-01-01T00:00:00Z' }, NAT_GATEWAY_FINALIZER)).toBe('delete');
    expect(deletionStep(true)).toBe('delete-apinet-and-wait');
    expect(deletionStep(false)).toBe('remove-finalizer');
  });

  it('R-NATGW-05: only NAT gateways of the network namespace naming the network are concerned', () => {
    expect(natGatewayUsesNetwork(natGateway(), { namespace: 'default', name: 'my-network' })).toBe(true);
    expect(natGatewayUsesNetwork(natGateway(), { namespace: 'other', name: 'my-network' })).toBe(false);
    expect(natGatewayUsesNetwork(natGateway(), { namespace: 'default', name: 'other-network' })).toBe(false);
  });
});
