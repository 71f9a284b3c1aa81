import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { RateLimitedError } from '@licensing/graphql';
import { REDIS } from '@licensing/platform';
import { InjectKeysConfig, KeysConfig } from '../config';

/** One counter of failed attempts: at most `limit` failures per `windowSeconds`. */
export interface ThrottleScope {
  name: string;
  limit: number;
  windowSeconds: number;
}

/**
 * Counts failed attempts (logins with a wrong password, unknown keys) in Redis, in fixed
 * windows, and refuses further attempts of a scope that reached its limit until its window
 * ends. Shared by every instance of the service. When Redis is unreachable it lets
 * attempts through (and says so in the log): a login outage would be worse than a window
 * without throttling.
 */
@Injectable()
export class FailureThrottleService {
  private readonly logger = new Logger('FailureThrottle');

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @InjectKeysConfig() private readonly config: KeysConfig,
  ) {}

  private counterKey(scope: ThrottleScope, now: number): { key: string; resetsIn: number } {
    const windowMs = scope.windowSeconds * 1000;
    const bucket = Math.floor(now / windowMs);
    return {
      key: `${this.config.THROTTLE_NAMESPACE}:throttle:${scope.name}:${bucket}`,
      resetsIn: Math.ceil(((bucket + 1) * windowMs - now) / 1000),
    };
  }

  /** Throws RATE_LIMITED when any scope is at its limit. */
  async assertAllowed(scopes: readonly ThrottleScope[], now = Date.now()): Promise<void> {
    const keys = scopes.map((s) => this.counterKey(s, now));
    let counts: (string | null)[];
    try {
      counts = await this.redis.mget(...keys.map((k) => k.key));
    } catch (error) {
      this.logger.warn(`throttle unavailable, attempt let through: ${String(error)}`);
      return;
    }
    scopes.forEach((scope, i) => {
      if (Number(counts[i] ?? 0) >= scope.limit) throw new RateLimitedError(keys[i]!.resetsIn);
    });
  }

  /** Counts one failure in every scope. */
  async recordFailure(scopes: readonly ThrottleScope[], now = Date.now()): Promise<void> {
    const pipeline = this.redis.multi();
    for (const scope of scopes) {
      const { key } = this.counterKey(scope, now);
      pipeline.incr(key).expire(key, scope.windowSeconds + 1);
    }
    try {
      await pipeline.exec();
    } catch (error) {
      this.logger.warn(`throttle unavailable, failure not counted: ${String(error)}`);
    }
  }
}
