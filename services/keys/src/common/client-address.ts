import { isIPv4, isIPv6 } from 'node:net';

/** The eight 16-bit groups of an IPv6 address, in hex without leading zeros. */
function ipv6Groups(ip: string): string[] {
  let text = ip.split('%')[0]!;
  // An embedded IPv4 tail (64:ff9b::192.0.2.1) becomes its two groups.
  const tail = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const groups =
    rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16).toString(16));
}

/**
 * The address a login throttle counts a caller under: an IPv4 address as it is (also when
 * written IPv4-mapped, `::ffff:192.0.2.1`); an IPv6 address by its /64, since one subscriber
 * usually holds a whole /64 and counting single addresses would hand an attacker 2^64 fresh
 * counters; `unknown` when the gateway named none.
 */
export function throttleAddress(clientIp: string): string {
  const ip = clientIp.trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (isIPv4(ip)) return ip;
  if (isIPv6(ip)) return `${ipv6Groups(ip).slice(0, 4).join(':')}::/64`;
  return 'unknown';
}
