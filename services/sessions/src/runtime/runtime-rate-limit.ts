import { isIPv4, isIPv6 } from 'node:net';
import type Redis from 'ioredis';
import { SharedWindowLimiter, WindowAdmission } from '@licensing/platform';

const WINDOW_SECONDS = 60;

/** One request counted: whether it may go on, and what the RateLimit headers say. */
export type RuntimeAdmission = WindowAdmission;

/**
 * The address a client is counted under: IPv4 as it is (also IPv4-mapped IPv6), IPv6 by its
 * /64 (one subscriber holds a whole /64), `unknown` without one.
 */
export function rateSubject(address: string | undefined): string {
  const ip = (address ?? '').trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return 'unknown';
  const [head = '', tail] = ip.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * Requests per client address per minute on the runtime endpoint, shared by every instance:
 * counted in memory and added to Redis every 50 ms (SharedWindowLimiter), so a request waits
 * for no round trip. Several instances together may admit what each of them admits in one such
 * interval past the limit; without Redis each instance still limits on its own counts.
 */
export class RuntimeRateLimiter {
  private readonly window: SharedWindowLimiter;

  constructor(redis: Redis, keyPrefix: string, limit: number, syncMs = 50) {
    this.window = new SharedWindowLimiter(redis, { keyPrefix, limit, windowMs: WINDOW_SECONDS * 1000, syncMs });
  }

  get limit(): number {
    return this.window.limit;
  }

  admit(address: string | undefined): RuntimeAdmission {
    return this.window.admit(rateSubject(address));
  }

  close(): Promise<void> {
    return this.window.close();
  }
}
