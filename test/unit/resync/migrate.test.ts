import { describe, expect, it } from 'vitest';
import { MIGRATED, originNameMigrationPatch } from '../../../shared/resync/migrate.ts';

const lb = (labels: Record<string, string>, annotations?: Record<string, string>) => ({
  apiVersion: 'core.apinet.ironcore.dev/v1alpha1',
  kind: 'LoadBalancer',
  metadata: { name: 'uid-1', namespace: 'apinet', resourceVersion: '7', labels, ...(annotations ? { annotations } : {}) },
});

describe('R-MIG-01 origin metadata migration', () => {
  it('R-MIG-01: moves the name label to the name annotation', () => {
    const patch = originNameMigrationPatch(
      lb({ 'apinetlet.ironcore.dev/loadbalancer-uid': 'u', 'apinetlet.ironcore.dev/loadbalancer-name': 'my-lb' }),
      'LoadBalancer',
    );
    expect(patch).toEqual({
      metadata: { labels: { 'apinetlet.ironcore.dev/loadbalancer-name': null }, annotations: { 'apinetlet.ironcore.dev/loadbalancer-name': 'my-lb' } },
    });
  });

  it('R-MIG-01: leaves objects in the new layout alone', () => {
    expect(originNameMigrationPatch(lb({ 'apinetlet.ironcore.dev/loadbalancer-uid': 'u' }, { 'apinetlet.ironcore.dev/loadbalancer-name': 'my-lb' }), 'LoadBalancer')).toBeUndefined();
  });

  it('R-MIG-01: looks for the origin of the kind (the autoscaler carries NAT gateway origin, the IP VirtualIP origin)', () => {
    const origins = Object.fromEntries(MIGRATED.map(({ res, origin }) => [res.kind, origin]));
    expect(origins).toEqual({
      LoadBalancer: 'LoadBalancer',
      NATGateway: 'NATGateway',
      NATGatewayAutoscaler: 'NATGateway',
      Network: 'Network',
      NetworkInterface: 'NetworkInterface',
      NetworkPolicy: 'NetworkPolicy',
      IP: 'VirtualIP',
    });
    expect(originNameMigrationPatch(lb({ 'apinetlet.ironcore.dev/virtualip-name': 'v' }), 'LoadBalancer')).toBeUndefined();
  });
});
