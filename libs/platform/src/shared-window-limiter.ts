import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';

/** One request counted: whether it may go on, and what the RateLimit headers say. */
export interface WindowAdmission {
  allowed: boolean;
  limit: number;
  /** Requests left in the window after this one. */
  remaining: number;
  /** Seconds until the window starts again (at least 1). */
  resetSeconds: number;
}

export interface SharedWindowOptions {
  /** Redis key prefix; the window's number and the subject follow it. */
  keyPrefix: string;
  /** Requests per subject per window. */
  limit: number;
  windowMs?: number;
  /** How often this instance adds its counts to Redis and learns the other instances'. */
  syncMs?: number;
  /** Subjects remembered at most in one window; past it the window's memory starts again. */
  maxSubjects?: number;
  /** The clock (tests fix it). */
  clock?: () => number;
}

interface Count {
  window: number;
  /** The window's total in Redis as last read (this instance's synced counts included). */
  shared: number;
  /** Counted here and being added to Redis. */
  sending: number;
  /** Counted here since the last sync began. */
  pending: number;
}

/**
 * A fixed-window rate limit shared by every instance, decided in memory: each request is
 * counted against what this instance knows of the window's total, and every `syncMs` the
 * counts are added to Redis in one pipeline (INCRBY per subject), whose answers bring in the
 * other instances' counts. So the hot path has no round trip, one instance alone is exact, and
 * several instances together may let through at most what each of them admits in one sync
 * interval past the limit. When Redis does not answer, each instance still limits on its own
 * counts, and a warning is logged at most every few seconds.
 */
export class SharedWindowLimiter {
  private readonly logger = new Logger('RateLimit');
  private readonly counts = new Map<string, Count>();
  private readonly windowMs: number;
  private readonly maxSubjects: number;
  private readonly timer: NodeJS.Timeout;
  private syncing?: Promise<void>;
  private lastWarning = 0;
  private readonly clock: () => number;

  constructor(
    private readonly redis: Redis,
    private readonly options: SharedWindowOptions,
  ) {
    this.windowMs = options.windowMs ?? 60_000;
    this.maxSubjects = options.maxSubjects ?? 100_000;
    this.clock = options.clock ?? Date.now;
    this.timer = setInterval(() => void this.sync(), options.syncMs ?? 50);
    this.timer.unref();
  }

  get limit(): number {
    return this.options.limit;
  }

  /** Counts one request of `subject` and says whether it is within the limit. */
  admit(subject: string, now = this.clock()): WindowAdmission {
    const window = Math.floor(now / this.windowMs);
    let count = this.counts.get(subject);
    if (!count || count.window !== window) {
      if (!count && this.counts.size >= this.maxSubjects) this.forgetBefore(window);
      count = { window, shared: 0, sending: 0, pending: 0 };
      this.counts.set(subject, count);
    }
    const resetSeconds = Math.max(1, Math.ceil(((window + 1) * this.windowMs - now) / 1000));
    const used = count.shared + count.sending + count.pending;
    if (used >= this.options.limit) {
      return { allowed: false, limit: this.options.limit, remaining: 0, resetSeconds };
    }
    count.pending++;
    return { allowed: true, limit: this.options.limit, remaining: this.options.limit - used - 1, resetSeconds };
  }

  /** Adds the counts since the last sync to Redis and reads the windows' totals back (one at a time). */
  sync(): Promise<void> {
    this.syncing ??= this.syncOnce().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  /** Stops syncing, after adding what was counted (for shutdown and tests). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.sync();
  }

  private async syncOnce(): Promise<void> {
    const current = Math.floor(this.clock() / this.windowMs);
    const batch: [string, Count, number][] = [];
    for (const [subject, count] of this.counts) {
      if (count.window < current) {
        this.counts.delete(subject);
      } else if (count.pending > 0) {
        batch.push([subject, count, count.pending]);
        count.sending += count.pending;
        count.pending = 0;
      }
    }
    if (!batch.length) return;
    const pipeline = this.redis.pipeline();
    for (const [subject, count, added] of batch) {
      const key = `${this.options.keyPrefix}:${count.window}:${subject}`;
      pipeline.incrby(key, added).pexpire(key, this.windowMs * 2);
    }
    try {
      const answers = (await pipeline.exec()) ?? [];
      batch.forEach(([, count, added], i) => {
        count.sending -= added;
        const [error, total] = answers[i * 2] ?? [new Error('no answer')];
        if (error) count.pending += added;
        else count.shared = Math.max(count.shared + added, Number(total));
      });
    } catch (error) {
      // Kept as pending: added at the next sync that reaches Redis.
      for (const [, count, added] of batch) {
        count.sending -= added;
        count.pending += added;
      }
      this.warn(error);
    }
  }

  private forgetBefore(window: number): void {
    for (const [subject, count] of this.counts) if (count.window < window) this.counts.delete(subject);
    if (this.counts.size >= this.maxSubjects) this.counts.clear();
  }

  private warn(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < 5_000) return;
    this.lastWarning = now;
    this.logger.warn(
      `rate limit counts not shared (Redis did not answer), each instance limits alone: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
