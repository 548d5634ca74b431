import { describe, expect, it } from 'vitest';
import {
  IP,
  IPPrefix,
  canonicalIP,
  canonicalPrefix,
  hostPrefix,
  ipFamilyOf,
  isValidIP,
  isValidPrefix,
  prefixBaseAddress,
  prefixContains,
  prefixLength,
} from '../../../shared/api/ip.ts';

describe('IP parsing like Go netip.ParseAddr', () => {
  it.each(['10.0.0.1', '0.0.0.0', '255.255.255.255', '::', '::1', 'fd00::1:5', '2001:DB8::1', '::ffff:10.0.0.1', 'fe80::1%eth0', '64:ff9b::1.2.3.4'])('accepts %j', (s) => {
    expect(isValidIP(s)).toBe(true);
    expect(IP.safeParse(s).success).toBe(true);
  });

  it.each(['', '010.0.0.1', '10.0.0', '10.0.0.256', '10.0.0.1.2', '0x1.2.3.4', ' 10.0.0.1', '1::2::3', 'fe80::1%', '10.0.0.1%eth0', '::ffff:01.2.3.4', '10.0.0.0/24', 'localhost'])('rejects %j', (s) => {
    expect(isValidIP(s)).toBe(false);
    expect(IP.safeParse(s).success).toBe(false);
  });

  it('prints the canonical form', () => {
    expect(canonicalIP('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalIP('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIP('::ffff:1.2.3.4')).toBe('::ffff:1.2.3.4');
    // Only the ::ffff: form is printed with a dotted tail.
    expect(canonicalIP('::1.2.3.4')).toBe('::102:304');
    expect(canonicalIP('FE80::1%eth0')).toBe('fe80::1%eth0');
    expect(IP.parse('FD00:0::5')).toBe('fd00::5');
  });

  it('knows the family; IPv4-mapped stays IPv6', () => {
    expect(ipFamilyOf('10.0.0.1')).toBe('IPv4');
    expect(ipFamilyOf('fd00::1')).toBe('IPv6');
    expect(ipFamilyOf('::ffff:10.0.0.1')).toBe('IPv6');
    expect(ipFamilyOf('10.0.0.0/8')).toBe('IPv4');
    expect(() => ipFamilyOf('nope')).toThrow(/"nope"/);
  });
});

describe('prefix parsing like Go netip.ParsePrefix', () => {
  it.each(['10.0.0.0/24', '10.0.0.5/24', '0.0.0.0/0', 'fd00::/64', '::/0', 'fd00::5/128', '10.0.0.1/32'])('accepts %j', (s) => {
    expect(isValidPrefix(s)).toBe(true);
  });

  it.each(['10.0.0.0', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/024', '10.0.0.0/+8', '10.0.0.0/', 'fe80::%eth0/64', '010.0.0.0/8', '/8'])('rejects %j', (s) => {
    expect(isValidPrefix(s)).toBe(false);
    expect(IPPrefix.safeParse(s).success).toBe(false);
  });

  it('keeps host bits and canonicalises the address', () => {
    expect(canonicalPrefix('10.0.0.5/24')).toBe('10.0.0.5/24');
    expect(IPPrefix.parse('FD00:0::/64')).toBe('fd00::/64');
    expect(prefixBaseAddress('10.0.0.5/24')).toBe('10.0.0.5');
    expect(prefixBaseAddress('fd00::5/128')).toBe('fd00::5');
    expect(prefixLength('fd00::/64')).toBe(64);
  });

  it('builds host prefixes', () => {
    expect(hostPrefix('192.168.178.50')).toBe('192.168.178.50/32');
    expect(hostPrefix('FD00::1')).toBe('fd00::1/128');
    expect(hostPrefix('fe80::1%eth0')).toBe('fe80::1/128');
  });

  it('checks containment', () => {
    expect(prefixContains('10.0.0.0/16', '10.0.5.0/24')).toBe(true);
    expect(prefixContains('10.0.0.0/16', '10.1.0.0/24')).toBe(false);
    expect(prefixContains('10.0.0.0/16', '10.0.0.0/8')).toBe(false);
    expect(prefixContains('0.0.0.0/0', '203.0.113.8/32')).toBe(true);
    expect(prefixContains('fd00::/64', '10.0.0.0/8')).toBe(false);
    expect(prefixContains('fd00::/64', 'fd00::1:5/128')).toBe(true);
  });
});
