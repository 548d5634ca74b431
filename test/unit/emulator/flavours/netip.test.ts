import { describe, expect, it } from 'vitest';
import { formatAddr, formatPrefix, parseAddr, parsePrefix, prefixContains } from '../../../../infra/local/emulator/flavours/netip.ts';

const canon = (s: string) => {
  const a = parseAddr(s);
  return a ? formatAddr(a) : undefined;
};

describe('netip: Go net/netip parse and print rules (ironcore-api.md §2.1/2.2)', () => {
  it('rejects IPv4 with leading zeros, empty octets or out-of-range values', () => {
    expect(['010.0.0.1', '10..0.1', '256.0.0.1', '10.0.0', '', '1.2.3.4.5'].map(canon)).toEqual(Array(6).fill(undefined));
    expect(canon('0.0.0.0')).toBe('0.0.0.0');
  });

  it('prints IPv6 in RFC 5952 form, keeps IPv4-mapped addresses as IPv6 with a dotted tail', () => {
    expect(canon('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canon('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1');
    expect(canon('1:0:0:2:0:0:0:3')).toBe('1:0:0:2::3');
    expect(canon('::')).toBe('::');
    expect(canon('::ffff:10.0.0.1')).toBe('::ffff:10.0.0.1');
    expect(parseAddr('::ffff:10.0.0.1')!.family).toBe('IPv6');
    expect(canon('fe80::1%eth0')).toBe('fe80::1%eth0');
    expect(canon('1:2:3:4:5:6:7:8::')).toBeUndefined();
  });

  it('prefixes: zones and leading-zero lengths rejected, host bits kept', () => {
    expect(parsePrefix('fe80::/64%eth0')).toBeUndefined();
    expect(parsePrefix('fe80::%eth0/64')).toBeUndefined();
    expect(parsePrefix('10.0.0.0/024')).toBeUndefined();
    expect(parsePrefix('10.0.0.0/33')).toBeUndefined();
    expect(formatPrefix(parsePrefix('10.0.0.5/24')!)).toBe('10.0.0.5/24');
  });

  it('containment compares networks, not host bits', () => {
    expect(prefixContains(parsePrefix('10.0.0.0/16')!, parsePrefix('10.0.5.0/24')!)).toBe(true);
    expect(prefixContains(parsePrefix('10.0.0.0/16')!, parsePrefix('10.1.0.0/24')!)).toBe(false);
    expect(prefixContains(parsePrefix('10.0.0.0/16')!, parsePrefix('10.0.0.0/8')!)).toBe(false);
  });
});
