import { Client } from 'pg';
import { Partitioners, Producer } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { EventEnvelope, findEventDefinition } from '@licensing/events';
import { backoffDelayMs } from './backoff';
import { createKafkaClient, KafkaSettings, MessagingLogger, topicName } from './settings';

/** Postgres channel the relay listens on; enqueue notifies it, delivered at commit. */
export const OUTBOX_CHANNEL = 'licensing_outbox';

function topicOf(event: EventEnvelope<unknown>, topic?: string): string {
  const resolved = topic ?? findEventDefinition(event.type)?.topic;
  if (!resolved) throw new Error(`No topic for event type ${event.type}`);
  return resolved;
}

/**
 * Writes events into the outbox inside the caller's transaction, so they are published
 * if and only if the state change commits. `manager` must be a transaction's manager.
 */
export async function enqueueMany(
  manager: EntityManager,
  events: readonly EventEnvelope<unknown>[],
  topic?: string,
): Promise<void> {
  if (!events.length) return;
  const values: unknown[] = [];
  const rows = events.map((event, i) => {
    values.push(event.id, topicOf(event, topic), event.subject, event.type, JSON.stringify(event));
    const o = i * 5;
    return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5}::jsonb)`;
  });
  await manager.query(
    `INSERT INTO outbox (id, topic, message_key, event_type, payload) VALUES ${rows.join(', ')}`,
    values,
  );
  await manager.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
}

export function enqueue(manager: EntityManager, event: EventEnvelope<unknown>, topic?: string): Promise<void> {
  return enqueueMany(manager, [event], topic);
}

export interface OutboxRelayOptions {
  dataSource: DataSource;
  settings: KafkaSettings;
  logger?: MessagingLogger;
  pollIntervalMs?: number;
  batchSize?: number;
  /** After this many failed publishes a row is parked as DEAD. */
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
}

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  event_type: string;
  payload: unknown;
  attempts: number;
}

/**
 * Whether an error means "the broker cannot be reached" (so every row would fail alike),
 * as opposed to "this message is bad". kafkajs wraps causes in originalError.
 */
export function isBrokerUnavailable(error: unknown): boolean {
  for (let e = error as { name?: string; message?: string; originalError?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (/KafkaJS(Connection|ConnectionClosed|BrokerNotFound|RequestTimeout|LockTimeout)Error/.test(e.name ?? '')) return true;
    if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH/.test(e.message ?? '')) return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}

/**
 * Publishes the outbox to Kafka. Rows are claimed oldest first with FOR UPDATE SKIP
 * LOCKED, and each drain holds a transaction-scoped advisory lock, so with several
 * instances only one drains at a time: events of one key leave in the order they were
 * written, and another instance takes over at once if one dies. Publishing is
 * acks=all, keyed by the event subject; a publish failure backs the row off
 * exponentially, and a row that keeps failing is parked as DEAD.
 * Delivery is at least once: a crash between publish and commit republishes the batch.
 */
export class OutboxRelay {
  private readonly logger: MessagingLogger;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private producer?: Producer;
  private producerConnected = false;
  private listener?: Client;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private lastError?: string;

  constructor(private readonly options: OutboxRelayOptions) {
    this.logger = options.logger ?? console;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.batchSize = options.batchSize ?? 200;
    this.maxAttempts = options.maxAttempts ?? 10;
    this.backoffBaseMs = options.backoffBaseMs ?? 500;
    this.backoffCapMs = options.backoffCapMs ?? 60_000;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listen();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
    if (this.producer) await this.producer.disconnect().catch(() => undefined);
    this.producer = undefined;
    this.producerConnected = false;
  }

  /** Healthy while Kafka accepted the last publish (or nothing has been tried yet). */
  async health(): Promise<void> {
    if (!this.running) throw new Error('relay stopped');
    if (this.lastError) throw new Error(`last publish failed: ${this.lastError}`);
  }

  async pendingCount(): Promise<number> {
    const [row] = (await this.options.dataSource.query(
      `SELECT count(*)::int AS n FROM outbox WHERE status = 'PENDING'`,
    )) as { n: number }[];
    return row?.n ?? 0;
  }

  /** Deletes published rows older than the given age; returns how many. */
  async purgeSent(olderThanMs: number): Promise<number> {
    const result = (await this.options.dataSource.query(
      `DELETE FROM outbox WHERE status = 'SENT' AND sent_at < now() - make_interval(secs => $1)`,
      [olderThanMs / 1000],
    )) as [unknown[], number];
    return result[1] ?? 0;
  }

  private async listen(): Promise<void> {
    const url = (this.options.dataSource.options as { url?: string }).url;
    if (!url) return; // polling alone still delivers
    const client = new Client({ connectionString: url });
    client.on('notification', () => this.wake?.());
    client.on('error', (error) => {
      this.logger.warn(`outbox listener lost (${error.message}); polling until it is back`);
      this.listener = undefined;
      setTimeout(() => void (this.running && this.listen().catch(() => undefined)), 1_000).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.listener = client;
    } catch (error) {
      this.logger.warn(`outbox listener unavailable: ${(error as Error).message}`);
      await client.end().catch(() => undefined);
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let drained = 0;
      try {
        drained = await this.drainOnce();
      } catch (error) {
        this.logger.error(`outbox drain failed: ${(error as Error).message}`);
      }
      if (drained >= this.batchSize) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollIntervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      this.producer = createKafkaClient(
        { ...this.options.settings, clientId: `${this.options.settings.clientId}-relay` },
        this.logger,
        // Few client-level retries: the outbox itself retries, with backoff, durably.
        { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
      ).producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner });
      this.producer.on(this.producer.events.DISCONNECT, () => {
        this.producerConnected = false;
      });
    }
    if (!this.producerConnected) {
      await this.producer.connect();
      this.producerConnected = true;
    }
    return this.producer;
  }

  private async send(rows: OutboxRow[]): Promise<void> {
    const producer = await this.connectedProducer();
    const byTopic = new Map<string, OutboxRow[]>();
    for (const row of rows) byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row]);
    await producer.sendBatch({
      acks: -1,
      timeout: 10_000,
      topicMessages: [...byTopic].map(([topic, topicRows]) => ({
        topic: topicName(this.options.settings, topic),
        messages: topicRows.map((r) => ({
          key: r.message_key,
          value: JSON.stringify(r.payload),
          headers: { 'event-type': r.event_type, 'event-id': r.id },
        })),
      })),
    });
  }

  /** Claims and publishes one batch; returns how many rows it claimed. */
  async drainOnce(): Promise<number> {
    return this.options.dataSource.transaction(async (manager) => {
      const [lock] = (await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext('outbox-relay')) AS ok`)) as {
        ok: boolean;
      }[];
      if (!lock?.ok) return 0;
      const rows = (await manager.query(
        `SELECT id, topic, message_key, event_type, payload, attempts FROM outbox
          WHERE status = 'PENDING' AND next_attempt_at <= now()
          ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      )) as OutboxRow[];
      if (!rows.length) return 0;

      const sent: string[] = [];
      const failed: { row: OutboxRow; error: unknown }[] = [];
      try {
        await this.send(rows);
        sent.push(...rows.map((r) => r.id));
        this.lastError = undefined;
      } catch (error) {
        this.lastError = (error as Error)?.message ?? String(error);
        if (rows.length === 1) {
          failed.push({ row: rows[0]!, error });
        } else {
          // Isolate the poison: send one by one, never letting a key overtake its own
          // failure, and stop at the first sign that the broker itself is unreachable
          // (the untried rows keep their attempts and go with the next drain).
          const blockedKeys = new Set<string>();
          for (const row of rows) {
            if (blockedKeys.has(row.message_key)) continue;
            try {
              await this.send([row]);
              sent.push(row.id);
            } catch (rowError) {
              blockedKeys.add(row.message_key);
              failed.push({ row, error: rowError });
              if (isBrokerUnavailable(rowError)) break;
            }
          }
        }
      }

      if (sent.length) {
        await manager.query(`UPDATE outbox SET status = 'SENT', sent_at = now(), last_error = NULL WHERE id = ANY($1)`, [
          sent,
        ]);
      }
      for (const { row, error } of failed) {
        const attempts = row.attempts + 1;
        const message = (error as Error)?.message ?? String(error);
        this.lastError = message;
        if (attempts >= this.maxAttempts) {
          this.logger.error(`outbox event ${row.id} (${row.event_type}) parked as DEAD after ${attempts} attempts: ${message}`);
        }
        await manager.query(
          `UPDATE outbox SET attempts = $2::int, last_error = $3,
                  status = CASE WHEN $2::int >= $4::int THEN 'DEAD' ELSE 'PENDING' END,
                  next_attempt_at = now() + make_interval(secs => $5::float8)
            WHERE id = $1`,
          [row.id, attempts, message.slice(0, 2000), this.maxAttempts, backoffDelayMs(attempts, this.backoffBaseMs, this.backoffCapMs) / 1000],
        );
      }
      return rows.length;
    });
  }
}
