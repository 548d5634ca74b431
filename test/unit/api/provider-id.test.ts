import { describe, expect, it } from 'vitest';
import {
  ProviderIdError,
  formatNetworkInterfaceProviderId,
  formatNetworkProviderId,
  parseNetworkInterfaceProviderId,
  parseNetworkProviderId,
  tryParseNetworkInterfaceProviderId,
} from '../../../shared/api/provider-id.ts';

function errorOf(fn: () => unknown): ProviderIdError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProviderIdError) return err;
    throw err;
  }
  throw new Error('expected a ProviderIdError');
}

describe('NetworkInterface provider IDs', () => {
  it('parses the documented example', () => {
    expect(parseNetworkInterfaceProviderId('ironcore-net://apinet-ns/nic-abc12/node-1/9c7e5d1a-1111-4111-8111-000000000003')).toEqual({
      namespace: 'apinet-ns',
      name: 'nic-abc12',
      node: 'node-1',
      uid: '9c7e5d1a-1111-4111-8111-000000000003',
    });
  });

  it('R-PROV-01: a missing ironcore-net:// prefix is tolerated', () => {
    expect(parseNetworkInterfaceProviderId('ns/nic/zone-a.node-1/u1')).toEqual({ namespace: 'ns', name: 'nic', node: 'zone-a.node-1', uid: 'u1' });
  });

  it.each(['ironcore-net://a/b/c', 'ironcore-net://a/b/c/d/e', '', 'ironcore-net://'])('R-PROV-01: %j does not have four segments', (input) => {
    const err = errorOf(() => parseNetworkInterfaceProviderId(input));
    expect(err.format).toBe('NetworkInterface');
    expect(err.message).toContain(JSON.stringify(input));
    expect(err.message).toMatch(/expected 4/);
  });

  it.each(['Node_1', 'UPPER', '-node', ''])('R-PROV-01: node %j is not a DNS-1123 subdomain', (node) => {
    const input = `ironcore-net://ns/nic/${node}/uid`;
    const err = errorOf(() => parseNetworkInterfaceProviderId(input));
    expect(err.message).toContain(input);
    expect(err.message).toContain('DNS-1123');
  });

  it('tryParse returns undefined for unparsable IDs (destination without target)', () => {
    expect(tryParseNetworkInterfaceProviderId('bogus')).toBeUndefined();
    expect(tryParseNetworkInterfaceProviderId(undefined)).toBeUndefined();
    expect(tryParseNetworkInterfaceProviderId('ironcore-net://n/a/node/u')?.node).toBe('node');
  });
});

describe('Network provider IDs', () => {
  it.each(['ironcore-net://a/b/c', 'ironcore-net://a/b/c/d/e'])('R-PROV-02: %j fails and the message names the input', (input) => {
    const err = errorOf(() => parseNetworkProviderId(input));
    expect(err.format).toBe('Network');
    // The Go code embeds an empty value here; we name the input.
    expect(err.message).toContain(JSON.stringify(input));
  });

  it('R-PROV-02: segments are not validated', () => {
    expect(parseNetworkProviderId('ironcore-net://NS/Name_X/not-a-number/')).toEqual({ namespace: 'NS', name: 'Name_X', id: 'not-a-number', uid: '' });
  });
});

describe('round trips', () => {
  it('R-PROV-03: NetworkInterface format then parse returns the parts', () => {
    const parts = { namespace: 'apinet-ns', name: 'nic-x7k2p', node: 'zone-a.node-1', uid: '1f2e3d4c-aaaa-4bbb-8ccc-000000000001' };
    const id = formatNetworkInterfaceProviderId(parts);
    expect(id).toBe('ironcore-net://apinet-ns/nic-x7k2p/zone-a.node-1/1f2e3d4c-aaaa-4bbb-8ccc-000000000001');
    expect(parseNetworkInterfaceProviderId(id)).toEqual(parts);
  });

  it('R-PROV-03: Network format then parse returns the parts', () => {
    const parts = { namespace: 'apinet-ns', name: '3f1a2b4c-0000-4000-8000-000000000001', id: '4711', uid: '9c7e5d1a-1111-4111-8111-000000000001' };
    const id = formatNetworkProviderId(parts);
    expect(id).toBe('ironcore-net://apinet-ns/3f1a2b4c-0000-4000-8000-000000000001/4711/9c7e5d1a-1111-4111-8111-000000000001');
    expect(parseNetworkProviderId(id)).toEqual(parts);
  });
});
