import { Logger } from '@nestjs/common';
import Redis from 'ioredis';

/**
 * One atomic round trip: count the request in the current window, start the window's
 * expiry on the first request (or if a key somehow lost it), and report the time left.
 */
export const FIXED_WINDOW_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return {n, redis.call('PTTL', KEYS[1])}
`;

export interface RateDecision {
  allowed: boolean;
  /** Requests counted in the current window, this one included (0 when Redis did not answer). */
  count: number;
  retryAfterSeconds: number;
}

type WindowRedis = Redis & { licensingFixedWindow(key: string, windowMs: number): Promise<[number, number]> };

/**
 * A fixed-window limiter in Redis, shared by every gateway instance. It fails open: when
 * Redis does not answer within `timeoutMs` the request goes through and a warning is
 * logged (at most every few seconds), because refusing every application would be worse
 * than a window without limits.
 */
export class RateLimiter {
  private readonly logger = new Logger('RateLimiter');
  private readonly redis: WindowRedis;
  private lastWarning = 0;

  constructor(
    redis: Redis,
    private readonly timeoutMs = 500,
  ) {
    if (!('licensingFixedWindow' in redis)) {
      // EVALSHA with a fallback to EVAL: the script body crosses the network once.
      redis.defineCommand('licensingFixedWindow', { numberOfKeys: 1, lua: FIXED_WINDOW_SCRIPT });
    }
    this.redis = redis as WindowRedis;
  }

  async take(bucket: string, limit: number, windowMs = 60_000): Promise<RateDecision> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const [count, ttl] = await Promise.race([
        this.redis.licensingFixedWindow(`ratelimit:${bucket}`, windowMs),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
      if (count <= limit) return { allowed: true, count, retryAfterSeconds: 0 };
      return { allowed: false, count, retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)) };
    } catch (error) {
      this.warn(error);
      return { allowed: true, count: 0, retryAfterSeconds: 0 };
    } finally {
      clearTimeout(timer);
    }
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
