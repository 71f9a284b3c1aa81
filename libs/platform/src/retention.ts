import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ServiceConfig } from '@licensing/config';
import { purgeIdempotencyKeys, row, Sql, updated } from '@licensing/database';
import { SERVICE_CONFIG } from './tokens';

/** Idempotency keys are for retries, which come within minutes: a day is plenty. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 3_600_000;
const EVERY_MS = 15 * 60_000;
/** Rows deleted per statement, so a large backlog never holds long locks or one huge transaction. */
const BATCH = 5_000;

/** What one pass forgot. */
export interface RetentionResult {
  idempotencyKeys: number;
  sentOutboxRows: number;
  processedEvents: number;
}

async function tableExists(sql: Sql, table: string): Promise<boolean> {
  const found = await row<{ found: string | null }>(sql, `SELECT to_regclass($1)::text AS found`, [table]);
  return !!found?.found;
}

/**
 * Deletes in batches until a batch comes back short. Batches skip rows another instance has
 * locked (that one deletes them), so instances running at once split the work.
 */
async function deleteInBatches(sql: Sql, statement: string, params: unknown[]): Promise<number> {
  let total = 0;
  for (;;) {
    const { count } = await updated(sql, statement, [...params, BATCH]);
    total += count;
    if (count < BATCH) return total;
  }
}

/**
 * Outbox rows published more than `days` ago (PENDING and DEAD rows are kept: they still
 * matter), oldest first through the partial index on sent_at.
 */
export function purgeSentOutbox(sql: Sql, days: number): Promise<number> {
  return deleteInBatches(
    sql,
    `DELETE FROM outbox WHERE id IN (
       SELECT id FROM outbox
        WHERE status = 'SENT' AND sent_at < now() - $1::int * interval '1 day'
        ORDER BY sent_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [days],
  );
}

/** Consumers' records of events processed more than `days` ago. */
export function purgeProcessedEvents(sql: Sql, days: number): Promise<number> {
  return deleteInBatches(
    sql,
    `DELETE FROM processed_events WHERE (consumer, event_id) IN (
       SELECT consumer, event_id FROM processed_events
        WHERE processed_at < now() - $1::int * interval '1 day' LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [days],
  );
}

/**
 * Forgets what only needs keeping for a while, every 15 minutes, in every instance (a
 * DELETE of old rows is safe to run twice at once): idempotency keys after a day, published
 * outbox rows and processed-event records after EVENT_RETENTION_DAYS (default 7).
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce(), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async runOnce(): Promise<RetentionResult> {
    const result: RetentionResult = { idempotencyKeys: 0, sentOutboxRows: 0, processedEvents: 0 };
    const days = this.config.EVENT_RETENTION_DAYS;
    try {
      if (await tableExists(this.dataSource, 'idempotency_keys')) {
        result.idempotencyKeys = await purgeIdempotencyKeys(this.dataSource, IDEMPOTENCY_RETENTION_MS);
      }
      if (await tableExists(this.dataSource, 'outbox')) {
        result.sentOutboxRows = await purgeSentOutbox(this.dataSource, days);
      }
      if (await tableExists(this.dataSource, 'processed_events')) {
        result.processedEvents = await purgeProcessedEvents(this.dataSource, days);
      }
      if (result.idempotencyKeys || result.sentOutboxRows || result.processedEvents) {
        this.logger.log(
          `forgot ${result.idempotencyKeys} idempotency keys older than a day, ${result.sentOutboxRows} published ` +
            `outbox rows and ${result.processedEvents} processed-event records older than ${days} days`,
        );
      }
    } catch (error) {
      this.logger.warn(`retention pass failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return result;
  }
}
