import { isIPv4, isIPv6 } from 'node:net';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** A limiter that has not answered within this long lets the request through. */
const REDIS_TIMEOUT_MS = 500;
const WINDOW_SECONDS = 60;

/** One request counted: whether it may go on, and what the RateLimit headers say. */
export interface RuntimeAdmission {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window starts again. */
  resetSeconds: number;
}

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
 * Requests per client address per minute on the runtime endpoint, counted atomically in
 * Redis by rate-limiter-flexible (one script call), shared by every instance. Like the
 * gateway's limiter it fails open: when Redis does not answer, the request goes through and a
 * warning is logged at most every few seconds.
 */
export class RuntimeRateLimiter {
  private readonly logger = new Logger('RuntimeRateLimit');
  private readonly limiter: RateLimiterRedis;
  private lastWarning = 0;

  constructor(
    redis: Redis,
    keyPrefix: string,
    readonly limit: number,
  ) {
    this.limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix, points: limit, duration: WINDOW_SECONDS });
  }

  async admit(address: string | undefined): Promise<RuntimeAdmission> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const res = await Promise.race([
        this.limiter.consume(rateSubject(address)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${REDIS_TIMEOUT_MS} ms`)), REDIS_TIMEOUT_MS);
        }),
      ]);
      return this.admission(true, res);
    } catch (error) {
      // rate-limiter-flexible rejects with the counter's state when it is over the limit.
      if (error instanceof RateLimiterRes) return this.admission(false, error);
      this.warn(error);
      return { allowed: true, limit: this.limit, remaining: this.limit, resetSeconds: WINDOW_SECONDS };
    } finally {
      clearTimeout(timer);
    }
  }

  private admission(allowed: boolean, res: RateLimiterRes): RuntimeAdmission {
    return {
      allowed,
      limit: this.limit,
      remaining: Math.max(0, res.remainingPoints),
      resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    };
  }

  private warn(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < 5_000) return;
    this.lastWarning = now;
    this.logger.warn(
      `rate limiter unavailable, letting requests through: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
