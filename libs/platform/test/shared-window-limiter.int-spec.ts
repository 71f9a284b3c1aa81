import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { testInfrastructure } from '@licensing/testing';
import { SharedWindowLimiter } from '../src/shared-window-limiter';

describe('SharedWindowLimiter (real Redis)', () => {
  let redis: Redis;
  const limiters: SharedWindowLimiter[] = [];
  const prefix = `test:limit:${randomBytes(4).toString('hex')}`;
  /** A limiter that syncs only when told to (syncMs far away), so the test decides when instances meet. */
  /** Every limiter's clock: 45 s before a window ends, however long the test runs. */
  const NOW = 120_000 * 1_000 + 15_000;
  const WINDOW = (NOW / 60_000) | 0;
  const limiter = (limit: number, redisClient = redis) => {
    const l = new SharedWindowLimiter(redisClient, {
      keyPrefix: prefix,
      limit,
      syncMs: 3_600_000,
      clock: () => NOW,
    });
    limiters.push(l);
    return l;
  };
  const allowedOf = (l: SharedWindowLimiter, subject: string, n: number) =>
    Array.from({ length: n }, () => l.admit(subject)).filter((a) => a.allowed).length;

  /** What Redis holds for a subject in the test's window. */
  const stored = async (subject: string) => Number(await redis.get(`${prefix}:${WINDOW}:${subject}`));

  beforeAll(async () => {
    redis = new Redis((await testInfrastructure()).redisUrl);
  });

  afterAll(async () => {
    await Promise.all(limiters.map((l) => l.close()));
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('admits exactly the limit on one instance, counting down, and refuses past it until the window ends', () => {
    const l = limiter(3);
    const answers = Array.from({ length: 5 }, () => l.admit('192.0.2.1'));
    expect(answers.map((a) => [a.allowed, a.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
      [false, 0],
    ]);
    expect(answers.every((a) => a.limit === 3 && a.resetSeconds === 45)).toBe(true);
    // Another address has its own count; the next window starts again.
    expect(l.admit('192.0.2.2').allowed).toBe(true);
    expect(l.admit('192.0.2.1', NOW + 45_000)).toMatchObject({ allowed: true, remaining: 2, resetSeconds: 60 });
  });

  it('shares counts between instances through Redis at each sync', async () => {
    const [a, b] = [limiter(10), limiter(10)];
    expect(allowedOf(a, 'shared', 6)).toBe(6);
    await a.sync();
    expect(await stored('shared')).toBe(6);
    // b has not heard of them yet: its first sync adds its own and brings back the total.
    expect(b.admit('shared').allowed).toBe(true);
    await b.sync();
    expect(allowedOf(b, 'shared', 10)).toBe(3);
    await b.sync();
    // a learns the total with its next sync of that address: until then it goes by the 6 it knows,
    // so the window's 10 become 11 (one sync interval's worth past the limit), and no more.
    expect(a.admit('shared')).toMatchObject({ allowed: true, remaining: 3 });
    await a.sync();
    expect(a.admit('shared')).toMatchObject({ allowed: false, remaining: 0 });
    expect(await stored('shared')).toBe(11);
  });

  it('with instances syncing concurrently, admits the limit and past it at most what the others admit between two syncs', async () => {
    const limit = 200;
    const instances = [limiter(limit), limiter(limit), limiter(limit)];
    let allowed = 0;
    // Each instance admits turns of 10 requests with a sync (a real round trip) after each,
    // the three side by side: what one admits, the others learn at their next sync.
    await Promise.all(
      instances.map(async (l) => {
        for (let turn = 0; turn < 60; turn++) {
          allowed += allowedOf(l, 'busy', 10);
          await l.sync();
        }
      }),
    );
    expect(allowed).toBeGreaterThanOrEqual(limit);
    // Past the limit: at most a turn or two of each other instance that had not synced yet.
    expect(allowed).toBeLessThanOrEqual(limit + 2 * 2 * 10);
    const total = await stored('busy');
    expect(total).toBe(allowed);
  });

  it('limits on its own counts when Redis does not answer, and adds them once it does', async () => {
    const offline = new Redis((await testInfrastructure()).redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0 });
    offline.disconnect();
    const l = limiter(4, offline);
    expect(allowedOf(l, 'alone', 6)).toBe(4);
    await l.sync(); // fails: the counts stay here
    expect(l.admit('alone').allowed).toBe(false);
    await offline.connect();
    await l.sync();
    expect(await stored('alone')).toBe(4);
    offline.disconnect();
  });
});
