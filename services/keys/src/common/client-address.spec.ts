import { throttleAddress } from './client-address';

describe('throttleAddress', () => {
  it('keeps IPv4 addresses, also IPv4-mapped ones', () => {
    expect(throttleAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(throttleAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(throttleAddress('::FFFF:127.0.0.1')).toBe('127.0.0.1');
  });

  it('counts an IPv6 address by its /64, however it is written', () => {
    const net = '2001:db8:1:2::/64';
    expect(throttleAddress('2001:db8:1:2:3:4:5:6')).toBe(net);
    expect(throttleAddress('2001:0db8:0001:0002::9')).toBe(net);
    expect(throttleAddress('2001:DB8:1:2:ffff::1')).toBe(net);
    expect(throttleAddress('2001:db8:1:3::1')).not.toBe(net);
    expect(throttleAddress('::1')).toBe('0:0:0:0::/64');
    expect(throttleAddress('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(throttleAddress('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });

  it('names no address "unknown"', () => {
    expect(throttleAddress('')).toBe('unknown');
    expect(throttleAddress('not an address')).toBe('unknown');
    expect(throttleAddress('999.1.1.1')).toBe('unknown');
  });
});
