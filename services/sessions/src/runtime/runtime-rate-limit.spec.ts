import { rateSubject } from './runtime-rate-limit';

describe('rateSubject', () => {
  it('counts IPv4 as it is, also written IPv4-mapped', () => {
    expect(rateSubject('192.0.2.7')).toBe('192.0.2.7');
    expect(rateSubject('::ffff:192.0.2.7')).toBe('192.0.2.7');
  });

  it('counts IPv6 by its /64, however it is written', () => {
    expect(rateSubject('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(rateSubject('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(rateSubject('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(rateSubject('::1')).toBe('0:0:0:0::/64');
    expect(rateSubject('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('puts a missing or unreadable address in one bucket', () => {
    expect(rateSubject(undefined)).toBe('unknown');
    expect(rateSubject('not an address')).toBe('unknown');
  });
});
