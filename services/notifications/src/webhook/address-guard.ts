import { BlockList, isIP } from 'node:net';

/*
 * Where a webhook may not go (SSRF): loopback, private, link-local, cloud metadata and other
 * special-purpose addresses. Checked on every address a URL's host resolves to, at
 * registration and again when connecting (the connection uses only checked addresses).
 */

export type AddressClass = 'loopback' | 'private' | 'link-local' | 'metadata' | 'reserved';

const METADATA = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', 'fd00:ec2::254']);

const ranges: [AddressClass, string, number, 'ipv4' | 'ipv6'][] = [
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['loopback', '::1', 128, 'ipv6'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['private', '100.64.0.0', 10, 'ipv4'],
  ['private', 'fc00::', 7, 'ipv6'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['reserved', '0.0.0.0', 8, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['reserved', '192.0.2.0', 24, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'],
  ['reserved', '198.51.100.0', 24, 'ipv4'],
  ['reserved', '203.0.113.0', 24, 'ipv4'],
  ['reserved', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['reserved', '::', 128, 'ipv6'],
  ['reserved', '64:ff9b::', 96, 'ipv6'],
  ['reserved', '2001:db8::', 32, 'ipv6'],
  ['reserved', 'ff00::', 8, 'ipv6'],
];

const lists = new Map<AddressClass, BlockList>();
for (const [cls, network, prefix, type] of ranges) {
  const list = lists.get(cls) ?? new BlockList();
  list.addSubnet(network, prefix, type);
  lists.set(cls, list);
}

/** The class of a forbidden address, or undefined for a public one. Throws for a non-address. */
export function forbiddenAddressClass(address: string): AddressClass | undefined {
  const version = isIP(address);
  if (!version) throw new Error(`${address} is not an IP address`);
  const lower = address.toLowerCase();
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is the IPv4 address.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1];
  if (mapped) return forbiddenAddressClass(mapped);
  if (METADATA.has(lower)) return 'metadata';
  const type = version === 4 ? 'ipv4' : 'ipv6';
  for (const [cls, list] of lists) if (list.check(address, type)) return cls;
  return undefined;
}

/** Why a webhook may not be sent to this address (undefined: it may). */
export function refusalOf(address: string, allowLoopback: boolean): string | undefined {
  const cls = forbiddenAddressClass(address);
  if (!cls || (cls === 'loopback' && allowLoopback)) return undefined;
  return `${address} is a ${cls} address`;
}
