import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';

/** One round trip: count the request in the current window and start the window on the first. */
const WINDOW_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}
`;

export const GATEWAY_REDIS = Symbol('GATEWAY_REDIS');

export interface RateDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

/**
 * Fixed-window limiter in Redis, shared by every gateway instance. It fails open: if Redis
 * is unreachable the request goes through and a warning is logged, because refusing every
 * application would be worse than a window without limits.
 */
@Injectable()
export class RateLimiter implements OnApplicationShutdown {
  private readonly logger = new Logger('RateLimiter');

  constructor(@Inject(GATEWAY_REDIS) private readonly redis: Redis) {}

  async take(bucket: string, limit: number, windowMs = 60_000): Promise<RateDecision> {
    try {
      const [count, ttl] = (await this.redis.eval(WINDOW_SCRIPT, 1, `ratelimit:${bucket}`, windowMs)) as [number, number];
      if (count <= limit) return { allowed: true, retryAfterSeconds: 0 };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)) };
    } catch (error) {
      this.logger.warn(`rate limiter unavailable, letting the request through: ${(error as Error).message}`);
      return { allowed: true, retryAfterSeconds: 0 };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
