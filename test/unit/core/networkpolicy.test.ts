import { describe, expect, it } from 'vitest';
import { ApinetLoadBalancer, ApinetNetwork, ApinetNetworkInterface, ApinetNetworkPolicy, ApinetNetworkPolicyRule } from '../../../shared/api/apinet.ts';
import { IroncoreNetwork, IroncoreNetworkPolicy } from '../../../shared/api/ironcore.ts';
import { UntranslatableSpecError, ReconcileError } from '../../../shared/reconcile/core/errors.ts';
import {
  APINETLET_FIELD_MANAGER,
  NETWORK_POLICY_FINALIZER,
  NETWORK_POLICY_RULE_FIELD_MANAGER,
  desiredApinetNetworkPolicy,
  desiredApinetNetworkPolicyRule,
  networkPolicyDeletion,
  planNetworkPolicy,
  type NetworkPolicyObserved,
  type NetworkPolicyRuleObserved,
} from '../../../shared/reconcile/core/networkpolicy.ts';

const ANS = 'apinetlet-system';
const NP_UID = '3f1a2b4c-0000-4000-8000-000000000006';
const NET_UID = '5b4c7d5e-2f1a-4e0b-9a53-2c6a0f1d8e11';
const APINET_NET_UID = '0c9a0000-0000-4000-8000-00000000000a';
const APINET_NP_UID = '7e7e0000-0000-4000-8000-00000000000b';

const ORIGIN_LABELS = {
  'apinetlet.ironcore.dev/networkpolicy-uid': NP_UID,
  'apinetlet.ironcore.dev/networkpolicy-namespace': 'default',
};
const ORIGIN_ANNOTATIONS = { 'apinetlet.ironcore.dev/networkpolicy-name': 'db-policy' };

// ironcore-api.md 4.7 example.
function ironcorePolicy(spec: object = {}, metadata: object = {}): IroncoreNetworkPolicy {
  return IroncoreNetworkPolicy.parse({
    apiVersion: 'networking.ironcore.dev/v1alpha1',
    kind: 'NetworkPolicy',
    metadata: { name: 'db-policy', namespace: 'default', uid: NP_UID, finalizers: [NETWORK_POLICY_FINALIZER], ...metadata },
    spec: {
      networkRef: { name: 'my-network' },
      networkInterfaceSelector: { matchLabels: { app: 'db' } },
      ingress: [
        {
          from: [
            { objectSelector: { kind: 'NetworkInterface', matchLabels: { app: 'web' } } },
            { ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.5.0/24'] } },
          ],
          ports: [{ protocol: 'TCP', port: 5432 }],
        },
      ],
      egress: [
        {
          to: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 8000, endPort: 9000 },
          ],
        },
      ],
      policyTypes: ['Egress', 'Ingress'],
      ...spec,
    },
  });
}

const network = IroncoreNetwork.parse({ metadata: { name: 'my-network', namespace: 'default', uid: NET_UID }, spec: {} });
const apinetNetwork = ApinetNetwork.parse({ metadata: { name: NET_UID, namespace: ANS, uid: APINET_NET_UID }, spec: { id: '4711' } });

// apinet-api.md 5.11 example shape.
function apinetNic(name: string, labels: Record<string, string>, ips: string[], state: string | undefined, networkName = NET_UID): ApinetNetworkInterface {
  return ApinetNetworkInterface.parse({
    metadata: { name, namespace: ANS, uid: `uid-${name}`, labels },
    spec: { nodeRef: { name: 'zone-a.node-1' }, networkRef: { name: networkName }, ips },
    ...(state ? { status: { state } } : {}),
  });
}

const nics = [
  apinetNic('nic-db', { app: 'db' }, ['192.168.178.10'], 'Ready'),
  apinetNic('nic-db-pending', { app: 'db' }, ['192.168.178.11'], 'Pending'),
  apinetNic('nic-db-other-net', { app: 'db' }, ['192.168.178.12'], 'Ready', 'some-other-network'),
  apinetNic('nic-web', { app: 'web' }, ['192.168.178.50', 'fd00::50'], 'Ready'),
  apinetNic('nic-web-nostate', { app: 'web' }, ['192.168.178.51'], undefined),
];

function apinetLb(name: string, labels: Record<string, string>, ips: object[]): ApinetLoadBalancer {
  return ApinetLoadBalancer.parse({ metadata: { name, namespace: ANS, uid: `uid-${name}`, labels }, spec: { type: 'Public', networkRef: { name: 'elsewhere' }, ips } });
}

function observed(over: Partial<NetworkPolicyObserved> = {}): NetworkPolicyObserved {
  return {
    networkPolicy: ironcorePolicy(),
    network,
    apinetNetwork,
    apinetNetworkInterfaces: nics,
    apinetLoadBalancers: [],
    settings: { apinetNamespace: ANS },
    ...over,
  };
}

function ruleObserved(over: Partial<NetworkPolicyObserved> = {}): NetworkPolicyRuleObserved {
  return { ...observed(over), appliedApinetNetworkPolicy: { metadata: { name: NP_UID, namespace: ANS, uid: APINET_NP_UID }, spec: { priority: 1000 } } };
}

describe('NetworkPolicy projection (behavior.md 2.6)', () => {
  it('2.6: the apinet NetworkPolicy has the exact projected shape', () => {
    expect(desiredApinetNetworkPolicy(observed())).toEqual({
      apiVersion: 'core.apinet.ironcore.dev/v1alpha1',
      kind: 'NetworkPolicy',
      metadata: { name: NP_UID, namespace: ANS, labels: ORIGIN_LABELS, annotations: ORIGIN_ANNOTATIONS },
      spec: {
        networkRef: { name: NET_UID },
        networkInterfaceSelector: { matchLabels: { app: 'db' } },
        priority: 1000,
        ingress: [
          {
            from: [{ objectSelector: { kind: 'NetworkInterface', matchLabels: { app: 'web' } } }, { ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.5.0/24'] } }],
            ports: [{ protocol: 'TCP', port: 5432 }],
          },
        ],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 8000, endPort: 9000 }] }],
        policyTypes: ['Egress', 'Ingress'],
      },
    });
  });

  it('2.6: the policy and rule bodies parse with the apinet schemas', () => {
    expect(() => ApinetNetworkPolicy.parse(desiredApinetNetworkPolicy(observed()))).not.toThrow();
    expect(() => ApinetNetworkPolicyRule.parse(desiredApinetNetworkPolicyRule(ruleObserved()))).not.toThrow();
  });

  it('R-GEN-07 / R-NP-02: the rule is applied under its own field manager', () => {
    expect(NETWORK_POLICY_RULE_FIELD_MANAGER).toBe('networkpolicies.networking.ironcore.dev');
    expect(APINETLET_FIELD_MANAGER).toBe('ironcore.dev/apinetlet');
  });

  it('2.6: the rule has the exact projected shape', () => {
    expect(desiredApinetNetworkPolicyRule(ruleObserved())).toEqual({
      apiVersion: 'core.apinet.ironcore.dev/v1alpha1',
      kind: 'NetworkPolicyRule',
      metadata: {
        name: NP_UID,
        namespace: ANS,
        labels: ORIGIN_LABELS,
        annotations: ORIGIN_ANNOTATIONS,
        ownerReferences: [
          { apiVersion: 'core.apinet.ironcore.dev/v1alpha1', kind: 'NetworkPolicy', name: NP_UID, uid: APINET_NP_UID, controller: true, blockOwnerDeletion: true },
        ],
      },
      networkRef: { name: NET_UID, uid: APINET_NET_UID },
      targets: [{ ip: '192.168.178.10', targetRef: { name: 'nic-db', uid: 'uid-nic-db' } }],
      priority: 1000,
      ingressRule: [
        {
          networkPolicyPorts: [{ protocol: 'TCP', port: 5432 }],
          ipBlock: [{ cidr: '10.0.0.0/16', except: ['10.0.5.0/24'] }],
          ips: [
            { ipFamily: 'IPv4', prefix: '192.168.178.50/32' },
            { ipFamily: 'IPv6', prefix: 'fd00::50/128' },
          ],
        },
      ],
      egressRule: [{ networkPolicyPorts: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 8000, endPort: 9000 }], ipBlock: [{ cidr: '0.0.0.0/0' }] }],
    });
  });
});

describe('NetworkPolicy rules (behavior.md 3.6)', () => {
  it('R-NP-01: the apinet policy priority is 1000 and the rule copies the applied policy priority', () => {
    expect(desiredApinetNetworkPolicy(observed()).spec.priority).toBe(1000);
    expect(desiredApinetNetworkPolicyRule(ruleObserved()).priority).toBe(1000);
    const applied = { metadata: { name: NP_UID, uid: APINET_NP_UID }, spec: { priority: 42 } };
    expect(desiredApinetNetworkPolicyRule({ ...observed(), appliedApinetNetworkPolicy: applied }).priority).toBe(42);
    const unset = { metadata: { name: NP_UID, uid: APINET_NP_UID } };
    expect(desiredApinetNetworkPolicyRule({ ...observed(), appliedApinetNetworkPolicy: unset }).priority).toBe(1000);
  });

  it('R-NP-02: the rule carries the origin keys and exactly one controller reference to the apinet policy', () => {
    const rule = desiredApinetNetworkPolicyRule(ruleObserved());
    expect(rule.metadata.labels).toEqual(ORIGIN_LABELS);
    expect(rule.metadata.annotations).toEqual(ORIGIN_ANNOTATIONS);
    expect(rule.metadata.ownerReferences).toHaveLength(1);
    expect(rule.metadata.ownerReferences[0]).toMatchObject({ kind: 'NetworkPolicy', uid: APINET_NP_UID, controller: true, blockOwnerDeletion: true });
  });

  it('R-NP-03: deletion deletes the apinet policy and removes the finalizer in the same pass', () => {
    const deleting = ironcorePolicy({}, { deletionTimestamp: '2026-01-02T03:04:05Z' });
    expect(networkPolicyDeletion(deleting, { apinetNamespace: ANS })).toEqual({ deleteApinetNetworkPolicy: { namespace: ANS, name: NP_UID }, removeFinalizer: true });
  });

  it('R-NP-03 / R-GEN-02: deletion without the finalizer touches nothing', () => {
    const deleting = ironcorePolicy({}, { deletionTimestamp: '2026-01-02T03:04:05Z', finalizers: ['someone.else/finalizer'] });
    expect(networkPolicyDeletion(deleting, { apinetNamespace: ANS })).toEqual({ deleteApinetNetworkPolicy: undefined, removeFinalizer: false });
  });

  it('R-NP-04: a missing ironcore Network applies nothing and is no error', () => {
    const plan = planNetworkPolicy(observed({ network: null, apinetNetwork: null }));
    expect(plan.action).toBe('none');
  });

  it('R-NP-04 [Go quirk]: a missing apinet Network applies the policy but skips the rule', () => {
    const plan = planNetworkPolicy(observed({ apinetNetwork: null }));
    expect(plan).toMatchObject({ action: 'apply', rule: 'wait-for-apinet-network' });
    if (plan.action !== 'apply') throw new Error('expected apply');
    expect(plan.apinetNetworkPolicy.spec.networkRef).toEqual({ name: NET_UID });
    expect(() => desiredApinetNetworkPolicyRule(ruleObserved({ apinetNetwork: null }))).toThrow(ReconcileError);
  });

  it('R-NP-04: with both networks present the policy and the rule are applied', () => {
    expect(planNetworkPolicy(observed())).toMatchObject({ action: 'apply', rule: 'apply' });
  });

  it('R-NP-05: LoadBalancer selectors resolve apinet LBs of ANS by labels, any network, /32 and /128', () => {
    const policy = ironcorePolicy({ ingress: [{ from: [{ objectSelector: { kind: 'LoadBalancer', matchLabels: { tier: 'edge' } } }] }] });
    const lbs = [
      apinetLb('lb-edge', { tier: 'edge' }, [
        { name: 'ipv4', ipFamily: 'IPv4', ip: '10.0.0.7' },
        { name: 'ipv6', ipFamily: 'IPv6', ip: 'fd00::7' },
        { name: 'pending', ipFamily: 'IPv4' },
      ]),
      apinetLb('lb-other', { tier: 'core' }, [{ name: 'ipv4', ipFamily: 'IPv4', ip: '10.0.0.8' }]),
    ];
    const rule = desiredApinetNetworkPolicyRule(ruleObserved({ networkPolicy: policy, apinetLoadBalancers: lbs }));
    expect(rule.ingressRule).toEqual([
      {
        ips: [
          { ipFamily: 'IPv4', prefix: '10.0.0.7/32' },
          { ipFamily: 'IPv6', prefix: 'fd00::7/128' },
        ],
      },
    ]);
  });

  it('R-NP-06: an object selector of kind VirtualIP fails the rule after the policy was computed', () => {
    const policy = ironcorePolicy({ egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { objectSelector: { kind: 'VirtualIP', matchLabels: { a: 'b' } } }] }] });
    const plan = planNetworkPolicy(observed({ networkPolicy: policy }));
    expect(plan).toMatchObject({ action: 'apply', rule: 'apply' });
    let error: unknown;
    try {
      desiredApinetNetworkPolicyRule(ruleObserved({ networkPolicy: policy }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UntranslatableSpecError);
    const e = error as UntranslatableSpecError;
    expect(e.message).toContain('unsupported object kind');
    expect(e.field).toBe('spec.egress[0].to[1].objectSelector.kind');
    expect(e.key).toBe('default/db-policy');
    expect(e.retryable).toBe(false);
  });

  it('R-NP-06: a policy type other than Ingress/Egress fails before anything is applied', () => {
    const policy = ironcorePolicy({ policyTypes: ['Ingress', 'Sideways'] });
    expect(() => planNetworkPolicy(observed({ networkPolicy: policy }))).toThrow(/invalid policy type "Sideways"/);
    expect(() => planNetworkPolicy(observed({ networkPolicy: policy }))).toThrow(UntranslatableSpecError);
  });

  it('R-NP-07: only Ready NICs of the apinet Network whose labels match become targets, one per IP', () => {
    const policy = ironcorePolicy({ networkInterfaceSelector: { matchLabels: { app: 'web' } } });
    const rule = desiredApinetNetworkPolicyRule(ruleObserved({ networkPolicy: policy }));
    expect(rule.targets).toEqual([
      { ip: '192.168.178.50', targetRef: { name: 'nic-web', uid: 'uid-nic-web' } },
      { ip: 'fd00::50', targetRef: { name: 'nic-web', uid: 'uid-nic-web' } },
    ]);
  });

  it('R-NP-07: no matching Ready NIC leaves targets out of the body', () => {
    const policy = ironcorePolicy({ networkInterfaceSelector: { matchLabels: { app: 'nothing' } } });
    const rule = desiredApinetNetworkPolicyRule(ruleObserved({ networkPolicy: policy }));
    expect(rule).not.toHaveProperty('targets');
  });

  it('R-NP-07: NIC object selectors yield host prefixes of Ready NICs of the same network only', () => {
    const policy = ironcorePolicy({ ingress: [{ from: [{ objectSelector: { kind: 'NetworkInterface', matchLabels: { app: 'db' } } }] }] });
    const rule = desiredApinetNetworkPolicyRule(ruleObserved({ networkPolicy: policy }));
    expect(rule.ingressRule).toEqual([{ ips: [{ ipFamily: 'IPv4', prefix: '192.168.178.10/32' }] }]);
  });

  it('R-NP-07: an empty selector selects every Ready NIC of the network', () => {
    const policy = ironcorePolicy({ networkInterfaceSelector: {} });
    const rule = desiredApinetNetworkPolicyRule(ruleObserved({ networkPolicy: policy }));
    expect(rule.targets?.map((t) => t.targetRef.name)).toEqual(['nic-db', 'nic-web', 'nic-web']);
  });

  it('R-NP-08: matchExpressions are copied to the apinet policy and honoured for targets and object IPs', () => {
    const expressions = [
      { key: 'app', operator: 'In', values: ['db', 'web'] },
      { key: 'app', operator: 'NotIn', values: ['web'] },
    ];
    const policy = ironcorePolicy({
      networkInterfaceSelector: { matchExpressions: expressions },
      ingress: [{ from: [{ objectSelector: { kind: 'NetworkInterface', matchExpressions: [{ key: 'app', operator: 'Exists' }, { key: 'app', operator: 'NotIn', values: ['db'] }] } }] }],
    });
    const apinetPolicy = desiredApinetNetworkPolicy(observed({ networkPolicy: policy }));
    expect(apinetPolicy.spec.networkInterfaceSelector).toEqual({ matchExpressions: expressions });
    expect(apinetPolicy.spec.ingress?.[0].from?.[0]).toEqual({
      objectSelector: { kind: 'NetworkInterface', matchExpressions: [{ key: 'app', operator: 'Exists' }, { key: 'app', operator: 'NotIn', values: ['db'] }] },
    });
    const rule = desiredApinetNetworkPolicyRule(ruleObserved({ networkPolicy: policy }));
    expect(rule.targets?.map((t) => t.ip)).toEqual(['192.168.178.10']);
    expect(rule.ingressRule?.[0].ips?.map((i) => i.prefix)).toEqual(['192.168.178.50/32', 'fd00::50/128']);
  });

  it('R-NP-10: protocol and endPort pass through when set; port 0 or absent is omitted', () => {
    const policy = ironcorePolicy({
      ingress: [{ ports: [{ port: 0 }, { protocol: 'SCTP' }, { protocol: 'UDP', port: 100, endPort: 200 }, { port: 22 }] }],
      egress: [],
    });
    const expected = [{}, { protocol: 'SCTP' }, { protocol: 'UDP', port: 100, endPort: 200 }, { port: 22 }];
    expect(desiredApinetNetworkPolicy(observed({ networkPolicy: policy })).spec.ingress).toEqual([{ ports: expected }]);
    expect(desiredApinetNetworkPolicyRule(ruleObserved({ networkPolicy: policy })).ingressRule).toEqual([{ networkPolicyPorts: expected }]);
  });

  it('2.6: rules without peers or ports keep their position as empty entries', () => {
    const policy = ironcorePolicy({ ingress: [{}, { ports: [{ port: 80 }] }], egress: null, policyTypes: ['Ingress'] });
    const apinetPolicy = desiredApinetNetworkPolicy(observed({ networkPolicy: policy }));
    expect(apinetPolicy.spec.ingress).toEqual([{}, { ports: [{ port: 80 }] }]);
    expect(apinetPolicy.spec).not.toHaveProperty('egress');
    const rule = desiredApinetNetworkPolicyRule(ruleObserved({ networkPolicy: policy }));
    expect(rule.ingressRule).toEqual([{}, { networkPolicyPorts: [{ port: 80 }] }]);
    expect(rule).not.toHaveProperty('egressRule');
  });
});
