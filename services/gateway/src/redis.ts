import { Logger } from '@nestjs/common';
import Redis from 'ioredis';

export const GATEWAY_REDIS = Symbol('GATEWAY_REDIS');

/**
 * The gateway's one Redis connection (rate limiter, health). Commands fail fast while Redis
 * is away instead of queueing for long, and connection errors are logged at most every
 * few seconds instead of once per retry.
 */
export function createGatewayRedis(url: string, logger = new Logger('Redis')): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    // How long a closing connection may linger (ioredis keeps a timer that long).
    disconnectTimeout: 200,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  let lastReport = 0;
  redis.on('error', (error: Error) => {
    const now = Date.now();
    if (now - lastReport < 10_000) return;
    lastReport = now;
    logger.warn(`Redis unavailable: ${error.message}`);
  });
  return redis;
}

/** Closes the connection politely, or drops it when Redis does not answer. */
export async function closeGatewayRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  await redis.quit().catch(() => redis.disconnect());
}
