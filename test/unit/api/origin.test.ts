import { describe, expect, it } from 'vitest';
import { PRIMARY_KINDS } from '../../../shared/api/resources.ts';
import {
  APINETLET_FIELD_MANAGER,
  NETWORK_POLICY_RULE_FIELD_MANAGER,
  finalizerOf,
  originAnnotations,
  originKeyOf,
  originKeysFrom,
  originLabels,
  originNamespaceSelector,
  stemsFrom,
} from '../../../shared/api/origin.ts';

const lb = { metadata: { name: 'my-lb', namespace: 'default', uid: 'c1a2b3d4-0000-4000-8000-000000000001' } };

function projectionOf(kind: (typeof PRIMARY_KINDS)[number], src: typeof lb) {
  return { metadata: { name: src.metadata.uid, namespace: 'apinetlet-system', labels: originLabels(kind, src), annotations: originAnnotations(kind, src) } };
}

describe('origin metadata (behavior.md 2.2)', () => {
  it('builds the documented keys for a LoadBalancer', () => {
    expect(originLabels('LoadBalancer', lb)).toEqual({
      'apinetlet.ironcore.dev/loadbalancer-uid': 'c1a2b3d4-0000-4000-8000-000000000001',
      'apinetlet.ironcore.dev/loadbalancer-namespace': 'default',
    });
    expect(originAnnotations('LoadBalancer', lb)).toEqual({ 'apinetlet.ironcore.dev/loadbalancer-name': 'my-lb' });
  });

  it('names the finalizers of all six kinds', () => {
    expect(PRIMARY_KINDS.map(finalizerOf)).toEqual([
      'apinet.ironcore.dev/network',
      'apinet.ironcore.dev/loadbalancer',
      'apinet.ironcore.dev/natgateway',
      'apinet.ironcore.dev/networkpolicy',
      'apinet.ironcore.dev/virtualip',
      'apinet.ironcore.dev/networkinterface',
    ]);
    expect(APINETLET_FIELD_MANAGER).toBe('ironcore.dev/apinetlet');
    expect(NETWORK_POLICY_RULE_FIELD_MANAGER).toBe('networkpolicies.networking.ironcore.dev');
  });

  it('refuses to build origin keys from an object without uid, naming the field', () => {
    expect(() => originLabels('Network', { metadata: { name: 'n', namespace: 'default' } })).toThrow(/Network default\/n.*metadata\.uid/);
  });

  it('stemsFrom needs all three keys and the same uid', () => {
    const p = projectionOf('LoadBalancer', lb);
    expect(stemsFrom(p, 'LoadBalancer', lb.metadata.uid)).toBe(true);
    expect(stemsFrom(p, 'LoadBalancer', 'other-uid')).toBe(false);
    expect(stemsFrom(p, 'NATGateway', lb.metadata.uid)).toBe(false);
    const noName = { metadata: { labels: p.metadata.labels, annotations: {} } };
    expect(stemsFrom(noName, 'LoadBalancer', lb.metadata.uid)).toBe(false);
  });

  it.each(PRIMARY_KINDS)('R-GEN-05: a complete %s origin maps back to the ironcore key', (kind) => {
    expect(originKeyOf(projectionOf(kind, lb))).toEqual({ kind, namespace: 'default', name: 'my-lb', uid: lb.metadata.uid });
  });

  it('R-GEN-05: objects missing any of the three keys trigger nothing', () => {
    const p = projectionOf('NetworkPolicy', lb);
    const labels = p.metadata.labels;
    for (const drop of Object.keys(labels)) {
      const { [drop]: _gone, ...rest } = labels;
      expect(originKeyOf({ metadata: { labels: rest, annotations: p.metadata.annotations } })).toBeUndefined();
    }
    expect(originKeyOf({ metadata: { labels } })).toBeUndefined();
    expect(originKeyOf({ metadata: {} })).toBeUndefined();
    // the migration's legacy name label does not count: the name must be an annotation.
    expect(originKeyOf({ metadata: { labels: { ...labels, 'apinetlet.ironcore.dev/networkpolicy-name': 'my-lb' } } })).toBeUndefined();
  });

  it('R-GEN-05: an object carrying two complete origins yields both keys', () => {
    const p = projectionOf('NATGateway', lb);
    const q = projectionOf('Network', { metadata: { name: 'net', namespace: 'ns2', uid: 'u2' } });
    const both = { metadata: { labels: { ...p.metadata.labels, ...q.metadata.labels }, annotations: { ...p.metadata.annotations, ...q.metadata.annotations } } };
    expect(originKeysFrom(both).map((k) => `${k.kind}:${k.namespace}/${k.name}`)).toEqual(['Network:ns2/net', 'NATGateway:default/my-lb']);
  });

  it('R-GEN-06: the namespace selector requires the uid label and the namespace value', () => {
    expect(originNamespaceSelector('VirtualIP', 'default')).toBe('apinetlet.ironcore.dev/virtualip-uid,apinetlet.ironcore.dev/virtualip-namespace=default');
  });
});
