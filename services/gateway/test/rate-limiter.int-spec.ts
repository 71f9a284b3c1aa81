import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { RateLimiter } from '../src/limits/rate-limiter';
import { closeGatewayRedis, createGatewayRedis } from '../src/redis';
import { REDIS_URL } from './support';

describe('RateLimiter (real Redis)', () => {
  let redis: Redis;

  beforeAll(() => {
    redis = createGatewayRedis(REDIS_URL);
  });

  afterAll(async () => {
    await closeGatewayRedis(redis);
  });

  it('allows `limit` requests per window and then tells how long to wait', async () => {
    const limiter = new RateLimiter(redis);
    const bucket = `test:${randomUUID()}`;
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limiter.take(bucket, 3, 10_000));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions.map((d) => d.count)).toEqual([1, 2, 3, 4]);
    expect(decisions[3]!.retryAfterSeconds).toBeGreaterThan(0);
    expect(decisions[3]!.retryAfterSeconds).toBeLessThanOrEqual(10);
    const ttl = await redis.pttl(`ratelimit:${bucket}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
  });

  it('starts a new window when the old one expires', async () => {
    const limiter = new RateLimiter(redis);
    const bucket = `test:${randomUUID()}`;
    expect((await limiter.take(bucket, 1, 200)).allowed).toBe(true);
    expect((await limiter.take(bucket, 1, 200)).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(await limiter.take(bucket, 1, 200)).toMatchObject({ allowed: true, count: 1 });
  });

  it('counts exactly under concurrency, from several limiters (gateway instances)', async () => {
    const others = [createGatewayRedis(REDIS_URL), createGatewayRedis(REDIS_URL)];
    try {
      // Connected first: a cold connection may miss the limiter's deadline, which fails open.
      await Promise.all([redis, ...others].map((r) => (r.status === 'ready' ? Promise.resolve() : once(r, 'ready'))));
      // A deadline far above any answer time: under a loaded CI machine the default 500 ms can
      // pass for a few of the 300 calls, and a late call fails open, which is not what is counted here.
      const limiters = [redis, ...others].map((r) => new RateLimiter(r, 30_000));
      const bucket = `test:${randomUUID()}`;
      const decisions = await Promise.all(
        Array.from({ length: 300 }, (_, i) => limiters[i % 3]!.take(bucket, 100, 10_000)),
      );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(100);
      expect(new Set(decisions.map((d) => d.count)).size).toBe(300);
    } finally {
      await Promise.all(others.map(closeGatewayRedis));
    }
  });

  it('repairs a window key that lost its expiry', async () => {
    const limiter = new RateLimiter(redis);
    const bucket = `test:${randomUUID()}`;
    await redis.set(`ratelimit:${bucket}`, '5');
    await limiter.take(bucket, 10, 5_000);
    expect(await redis.pttl(`ratelimit:${bucket}`)).toBeGreaterThan(0);
  });

  it('fails open with a warning when Redis does not answer', async () => {
    const warnings: string[] = [];
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
      warnings.push(String(message));
    });
    const nowhere = createGatewayRedis('redis://127.0.0.1:9');
    try {
      const limiter = new RateLimiter(nowhere, 300);
      const started = Date.now();
      const decision = await limiter.take(`test:${randomUUID()}`, 1);
      expect(decision).toEqual({ allowed: true, count: 0, retryAfterSeconds: 0 });
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(warnings.some((w) => /rate limiter unavailable, letting requests through/.test(w))).toBe(true);
    } finally {
      warn.mockRestore();
      await closeGatewayRedis(nowhere);
    }
  });
});
