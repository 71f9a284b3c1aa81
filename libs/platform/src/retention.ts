import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { purgeIdempotencyKeys, row } from '@licensing/database';

/** Idempotency keys are for retries, which come within minutes: a day is plenty. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 3_600_000;
const EVERY_MS = 15 * 60_000;

/**
 * Forgets what only needs keeping for a while, every 15 minutes, in every instance (a
 * DELETE of old rows is safe to run twice at once).
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private timer?: NodeJS.Timeout;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce(), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async runOnce(): Promise<void> {
    try {
      const table = await row<{ found: string | null }>(
        this.dataSource,
        `SELECT to_regclass('idempotency_keys')::text AS found`,
      );
      if (!table?.found) return;
      const purged = await purgeIdempotencyKeys(this.dataSource, IDEMPOTENCY_RETENTION_MS);
      if (purged) this.logger.log(`forgot ${purged} idempotency keys older than a day`);
    } catch (error) {
      this.logger.warn(`retention pass failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
