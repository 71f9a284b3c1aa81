import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { updated } from '@licensing/database';
import { REDIS } from '@licensing/platform';
import { InjectSessionsConfig, redisPrefix, SessionsConfig } from '../config';
import { HeartbeatIntervalRecord } from './heartbeat-interval.entity';

/**
 * Products' own heartbeat intervals: kept in Postgres, mirrored into one Redis hash
 * (`P:hbi`, product id -> seconds) that the acquire and heartbeat scripts read, so a
 * heartbeat stays one script call. Each instance copies the table into the hash when it
 * starts; a change writes Postgres, then the hash.
 */
@Injectable()
export class HeartbeatIntervalsRepository {
  private readonly hash: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @InjectSessionsConfig() config: SessionsConfig,
  ) {
    this.hash = `${redisPrefix(config)}:hbi`;
  }

  findByProduct(vendorId: string, productId: string): Promise<HeartbeatIntervalRecord | null> {
    return this.dataSource.getRepository(HeartbeatIntervalRecord).findOneBy({ vendorId, productId });
  }

  /** Sets (seconds) or removes (null) a product's own interval, in Postgres and then Redis. */
  async save(vendorId: string, productId: string, seconds: number | null): Promise<void> {
    if (seconds === null) {
      await updated(
        this.dataSource,
        `DELETE FROM product_heartbeat_intervals WHERE vendor_id = $1 AND product_id = $2`,
        [vendorId, productId],
      );
      await this.redis.hdel(this.hash, productId);
      return;
    }
    await updated(
      this.dataSource,
      `INSERT INTO product_heartbeat_intervals (product_id, vendor_id, seconds, updated_at) VALUES ($2, $1, $3, now())
       ON CONFLICT (product_id) DO UPDATE SET seconds = EXCLUDED.seconds, updated_at = now()
        WHERE product_heartbeat_intervals.vendor_id = EXCLUDED.vendor_id`,
      [vendorId, productId, seconds],
    );
    await this.redis.hset(this.hash, productId, seconds);
  }

  /** Copies every product's own interval into Redis (a start, or a Redis that lost them). */
  async mirrorAll(): Promise<number> {
    const all = await this.dataSource.getRepository(HeartbeatIntervalRecord).find();
    if (all.length) await this.redis.hset(this.hash, ...all.flatMap((r) => [r.productId, String(r.seconds)]));
    return all.length;
  }
}
