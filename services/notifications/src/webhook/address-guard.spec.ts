import { forbiddenAddressClass, refusalOf } from './address-guard';

describe('webhook address rules (SSRF)', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['0.0.0.0', 'reserved'],
    ['::', 'reserved'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
  ])('%s is %s', (address, cls) => {
    expect(forbiddenAddressClass(address)).toBe(cls);
  });

  it.each(['8.8.8.8', '172.32.0.1', '93.184.216.34', '2606:4700::1111', '::ffff:1.1.1.1'])(
    '%s is public',
    (address) => {
      expect(forbiddenAddressClass(address)).toBeUndefined();
    },
  );

  it('allows loopback only when told, and nothing else private', () => {
    expect(refusalOf('127.0.0.1', false)).toBe('127.0.0.1 is a loopback address');
    expect(refusalOf('127.0.0.1', true)).toBeUndefined();
    expect(refusalOf('::1', true)).toBeUndefined();
    expect(refusalOf('10.0.0.1', true)).toBe('10.0.0.1 is a private address');
    expect(refusalOf('169.254.169.254', true)).toBe('169.254.169.254 is a metadata address');
  });

  it('refuses what is not an address', () => {
    expect(() => forbiddenAddressClass('example.com')).toThrow(/not an IP address/);
  });
});
