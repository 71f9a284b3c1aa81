import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS } from '@licensing/platform';
import { InjectSessionsConfig, redisPrefix, SessionsConfig } from '../config';

/** Sessions read per round trip: one ZSCAN page and one pipeline of HGETs. */
const PAGE = 1_000;

/**
 * Counts the live sessions of every vendor from the scripts' own state (the expiry index
 * P:exp and each session's hash): ZSCAN pages of the index, keeping entries whose expiry is
 * still ahead, and a pipelined HGET of their vendor. Nothing is added to the seat scripts;
 * the cost is one pass over the live sessions, in pages that never block Redis, when asked.
 */
@Injectable()
export class LiveSessionsRepository {
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @InjectSessionsConfig() config: SessionsConfig,
  ) {
    this.prefix = redisPrefix(config);
  }

  async countByVendor(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const now = Date.now();
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.zscan(`${this.prefix}:exp`, cursor, 'COUNT', PAGE);
      cursor = next;
      const live: string[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) if (Number(flat[i + 1]) > now) live.push(flat[i]!);
      if (!live.length) continue;
      const pipeline = this.redis.pipeline();
      for (const id of live) pipeline.hget(`${this.prefix}:s:${id}`, 'vendorId');
      for (const [error, vendorId] of (await pipeline.exec()) ?? []) {
        if (!error && typeof vendorId === 'string') counts.set(vendorId, (counts.get(vendorId) ?? 0) + 1);
      }
    } while (cursor !== '0');
    return counts;
  }
}
