import { backoffDelayMs, outboxFailure } from './backoff';

describe('backoffDelayMs', () => {
  const low = () => 0;
  const high = () => 1;

  it('doubles its ceiling per attempt and keeps at least half of it', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelayMs(a, 100, 10_000, high))).toEqual([100, 200, 400, 800]);
    expect([1, 2, 3, 4].map((a) => backoffDelayMs(a, 100, 10_000, low))).toEqual([50, 100, 200, 400]);
  });

  it('never exceeds the cap, even for huge attempt numbers', () => {
    for (const attempt of [10, 20, 60, 1_000, Number.MAX_SAFE_INTEGER]) {
      const delay = backoffDelayMs(attempt, 500, 30_000, high);
      expect(delay).toBe(30_000);
      expect(Number.isFinite(delay)).toBe(true);
    }
  });

  it('stays within [ceiling/2, ceiling] for any random value', () => {
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelayMs(3, 100, 10_000);
      expect(delay).toBeGreaterThanOrEqual(200);
      expect(delay).toBeLessThanOrEqual(400);
    }
  });

  it('treats attempts below 1 as the first', () => {
    expect(backoffDelayMs(0, 100, 1_000, high)).toBe(100);
    expect(backoffDelayMs(-3, 100, 1_000, high)).toBe(100);
  });
});

describe('outboxFailure', () => {
  const limits = { maxAttempts: 3, backoffBaseMs: 100, backoffCapMs: 1_000 };

  it('counts the attempt and backs off', () => {
    expect(outboxFailure(0, false, limits, () => 1)).toEqual({ attempts: 1, dead: false, delayMs: 100 });
    expect(outboxFailure(1, false, limits, () => 1)).toEqual({ attempts: 2, dead: false, delayMs: 200 });
  });

  it('parks a row whose own publish failed maxAttempts times', () => {
    expect(outboxFailure(2, false, limits).dead).toBe(true);
    expect(outboxFailure(7, false, limits).dead).toBe(true);
  });

  it('neither parks nor backs off a row because Kafka is unreachable, however often', () => {
    expect(outboxFailure(2, true, limits)).toMatchObject({ attempts: 3, dead: false });
    expect(outboxFailure(500, true, limits, () => 1)).toEqual({ attempts: 501, dead: false, delayMs: 0 });
  });
});
