import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tables every service needs for reliable messaging: the outbox (events written in
 * the same transaction as the state change), the consumers' processed event ids, and
 * the messages that were parked for a human to look at.
 */
export function createMessagingMigration(timestamp: number): new () => MigrationInterface {
  class Messaging implements MigrationInterface {
    name = `Messaging${timestamp}`;

    async up(q: QueryRunner): Promise<void> {
      await q.query(`
        CREATE TABLE outbox (
          id uuid PRIMARY KEY,
          topic text NOT NULL,
          message_key text NOT NULL,
          event_type text NOT NULL,
          payload jsonb NOT NULL,
          status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENT', 'DEAD')),
          attempts int NOT NULL DEFAULT 0,
          next_attempt_at timestamptz NOT NULL DEFAULT now(),
          last_error text,
          created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
          sent_at timestamptz
        )`);
      await q.query(`CREATE INDEX outbox_pending_idx ON outbox (next_attempt_at, created_at) WHERE status = 'PENDING'`);
      await q.query(`CREATE INDEX outbox_sent_idx ON outbox (sent_at) WHERE status = 'SENT'`);
      await q.query(`
        CREATE TABLE processed_events (
          consumer text NOT NULL,
          event_id uuid NOT NULL,
          processed_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (consumer, event_id)
        )`);
      await q.query(`
        CREATE TABLE dead_letters (
          id bigserial PRIMARY KEY,
          consumer text NOT NULL,
          topic text NOT NULL,
          partition int NOT NULL,
          message_offset text NOT NULL,
          event_id text,
          event_type text,
          reason text NOT NULL,
          payload text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now()
        )`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query('DROP TABLE dead_letters');
      await q.query('DROP TABLE processed_events');
      await q.query('DROP TABLE outbox');
    }
  }
  Object.defineProperty(Messaging, 'name', { value: `Messaging${timestamp}` });
  return Messaging;
}

/**
 * The outbox keeps what an event's Kafka message carries beside its payload: the W3C
 * trace context of the request (or message) that caused it and its request id, so the
 * consumer's work joins that trace and its log lines name that id. Both stay null when
 * nothing was traced or no request caused the event (a scheduled job).
 */
export function createMessagingTraceMigration(timestamp: number): new () => MigrationInterface {
  class MessagingTrace implements MigrationInterface {
    name = `MessagingTrace${timestamp}`;

    async up(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE outbox ADD COLUMN traceparent text, ADD COLUMN request_id text`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE outbox DROP COLUMN traceparent, DROP COLUMN request_id`);
    }
  }
  Object.defineProperty(MessagingTrace, 'name', { value: `MessagingTrace${timestamp}` });
  return MessagingTrace;
}

/**
 * Retention deletes processed-event records by age (libs/platform, retention.ts) every 15
 * minutes. Without an index on processed_at, each pass scans the whole table to find the
 * old rows, and a consumer of every event (notifications) keeps millions of them. A BRIN
 * index suits a column that grows with the insertion order: a few pages to keep up to date
 * for the whole table, so the consumers' inserts barely pay for it.
 */
export function createProcessedEventsAgeMigration(timestamp: number): new () => MigrationInterface {
  class ProcessedEventsAge implements MigrationInterface {
    name = `ProcessedEventsAge${timestamp}`;

    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE INDEX processed_events_age_idx ON processed_events USING brin (processed_at)`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP INDEX processed_events_age_idx`);
    }
  }
  Object.defineProperty(ProcessedEventsAge, 'name', { value: `ProcessedEventsAge${timestamp}` });
  return ProcessedEventsAge;
}

/**
 * The relay claims pending rows oldest first (`ORDER BY created_at, id LIMIT n`). The pending
 * index leads with next_attempt_at, so with a backlog every claim read all due rows and sorted
 * them: 22 ms a claim behind 10,000 checks, which let the backlog grow faster than the relay
 * drained it. This index hands the claim its rows in order; the pending index still answers
 * the claim's look for backed-off rows of the same key.
 */
export function createOutboxOrderMigration(timestamp: number): new () => MigrationInterface {
  class OutboxOrder implements MigrationInterface {
    name = `OutboxOrder${timestamp}`;

    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE INDEX outbox_due_order_idx ON outbox (created_at, id) WHERE status = 'PENDING'`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP INDEX outbox_due_order_idx`);
    }
  }
  Object.defineProperty(OutboxOrder, 'name', { value: `OutboxOrder${timestamp}` });
  return OutboxOrder;
}
