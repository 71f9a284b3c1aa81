import { IHeaders, Partitioners, Producer } from 'kafkajs';
import { MessageSpan, REQUEST_ID_HEADER, startMessageSpan, TRACEPARENT_HEADER } from '@licensing/telemetry';
import { Startable } from './startable';
import { DataSource, EntityManager } from 'typeorm';
import { backoffDelayMs, outboxFailure } from './backoff';
import { describeError, isBrokerUnavailable } from './errors';
import { OUTBOX_CHANNEL } from './outbox';
import { PgListener, pgClientConfig } from './pg-listener';
import { createKafkaClient, KafkaSettings, MessagingLogger, topicName } from './settings';

export interface OutboxRelayOptions {
  dataSource: DataSource;
  settings: KafkaSettings;
  logger?: MessagingLogger;
  /** Safety-net polling interval; LISTEN/NOTIFY wakes the relay at once. Default 200. */
  pollIntervalMs?: number;
  /** Rows claimed and published per transaction. Default 100. */
  batchSize?: number;
  /** After this many failed publishes of the row itself, it is parked as DEAD. Default 10. */
  maxAttempts?: number;
  /** Backoff of a failed row (and of the relay while Kafka is unreachable). Default 500. */
  backoffBaseMs?: number;
  /** Default 30 000. */
  backoffCapMs?: number;
  /**
   * While Kafka is unreachable the relay tries again at most this far apart, so the backlog
   * goes out within about this long of the broker's return. Default 2 000.
   */
  brokerRetryCapMs?: number;
  /** LISTEN for commits on a dedicated connection. Default true. */
  listen?: boolean;
}

/** What one drain did. */
export interface DrainResult {
  /** Another relay instance holds the drain lock of this database. */
  busy: boolean;
  claimed: number;
  sent: number;
  failed: number;
  dead: number;
  /** Kafka could not be reached. */
  brokerUnavailable: boolean;
}

export interface OutboxRelayStatus {
  running: boolean;
  listening: boolean;
  lastPublishedAt?: Date;
  /** Set while Kafka is unreachable. */
  brokerError?: string;
  /** Set while the relay cannot read or write the outbox. */
  drainError?: string;
}

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  event_type: string;
  payload: string;
  attempts: number;
  traceparent: string | null;
  request_id: string | null;
}

interface Failure {
  row: OutboxRow;
  error: unknown;
  unavailable: boolean;
}

/**
 * One lock per database (advisory locks are scoped to the database). The same statement keeps
 * the claim to index order for this transaction: the table changes in bursts that its
 * statistics lag behind, and on them the planner took the claim for a read of every due row
 * (bitmap scan, then a sort), which also cannot skip the index entries of rows already sent:
 * 22 ms a claim during a burst of checks, longer than the burst took to write them.
 */
const DRAIN_LOCK_SQL = `SELECT pg_try_advisory_xact_lock(hashtext('licensing.outbox-relay')) AS locked,
                               set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true)`;

/**
 * Oldest first, due rows only, and never a row whose key has an older row that is still
 * pending but backed off: a failed event holds back its own key's later events (not other
 * keys') until it goes out or is parked. The backed-off rows (`held`, usually none) are read
 * once, and a row is due when no held row of its key comes at or before it (a held row holds
 * itself back), so the outer read needs nothing but the order of its index: a plan that
 * probed the table for every candidate, or read all due rows to sort them, took 15–22 ms a
 * claim behind a burst of checks.
 */
const CLAIM_SQL = `
  WITH held AS MATERIALIZED (
    SELECT message_key, created_at, id FROM outbox WHERE status = 'PENDING' AND next_attempt_at > now()
  )
  SELECT o.id, o.topic, o.message_key, o.event_type, o.payload::text AS payload, o.attempts,
         o.traceparent, o.request_id
    FROM outbox o
   WHERE o.status = 'PENDING'
     AND NOT EXISTS (
       SELECT 1 FROM held h WHERE h.message_key = o.message_key AND (h.created_at, h.id) <= (o.created_at, o.id))
   ORDER BY o.created_at, o.id
   LIMIT $1
   FOR UPDATE OF o SKIP LOCKED`;

/**
 * Publishes the outbox to Kafka.
 *
 * Each drain is one transaction: it takes a transaction-scoped advisory lock (so of several
 * relay instances on one database only one drains at a time, and another takes over at once
 * when it dies), claims the oldest due rows with FOR UPDATE SKIP LOCKED, publishes them
 * keyed by `message_key` with acks=all, and marks them SENT before committing. Holding the
 * drain to one instance is the price of order: two instances draining side by side could
 * publish a later batch of a key before an earlier one. Throughput is one relay's (a few
 * thousand events/s), which is far above what a service writes.
 *
 * Delivery is at least once: a crash between the publish and the commit publishes the
 * batch again, so consumers must be idempotent (EventConsumer is).
 *
 * A failed publish backs the row off exponentially and records the error; a row that fails
 * `maxAttempts` times for a reason of its own is parked as DEAD (logged; it needs a human).
 * While Kafka is unreachable, rows count attempts but are never parked, and the relay
 * itself backs off.
 */
export class OutboxRelay extends Startable {
  private readonly logger: MessagingLogger;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly brokerRetryCapMs: number;
  private producer?: Producer;
  private producerConnected = false;
  private listener?: PgListener;
  private running = false;
  private loop?: Promise<void>;
  private stopping?: Promise<void>;
  private wakeUp?: () => void;
  private woken = false;
  private lastPublishedAt?: Date;
  private brokerError?: string;
  private drainError?: string;

  constructor(private readonly options: OutboxRelayOptions) {
    super();
    this.logger = options.logger ?? console;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.batchSize = options.batchSize ?? 100;
    this.maxAttempts = options.maxAttempts ?? 10;
    this.backoffBaseMs = options.backoffBaseMs ?? 500;
    this.backoffCapMs = options.backoffCapMs ?? 30_000;
    this.brokerRetryCapMs = options.brokerRetryCapMs ?? 2_000;
  }

  /** Starts draining in the background. Does not need Kafka to be up. Idempotent. */
  protected async doStart(): Promise<void> {
    if (this.running) return;
    await this.stopping;
    this.running = true;
    if (this.options.listen ?? true) {
      this.listener = new PgListener(
        pgClientConfig(this.options.dataSource, `${this.options.settings.clientId}-outbox-listener`),
        OUTBOX_CHANNEL,
        () => this.wake(),
        this.logger,
      );
      await this.listener.start();
    }
    this.loop = this.run();
  }

  /** Finishes the batch in flight, stops listening and disconnects from Kafka. Idempotent. */
  stop(): Promise<void> {
    // Not running: still release a producer that drainOnce() may have connected.
    if (!this.running) return (this.stopping ?? Promise.resolve()).then(() => this.dropProducer());
    this.running = false;
    this.wake();
    this.stopping = (async () => {
      await this.loop;
      this.loop = undefined;
      await this.listener?.stop();
      this.listener = undefined;
      await this.dropProducer();
    })();
    return this.stopping;
  }

  status(): OutboxRelayStatus {
    return {
      running: this.running,
      listening: this.listener?.listening ?? false,
      lastPublishedAt: this.lastPublishedAt,
      brokerError: this.brokerError,
      drainError: this.drainError,
    };
  }

  /** Resolves while the relay runs and both Postgres and Kafka answer it; rejects with the reason. */
  async health(): Promise<void> {
    if (!this.running) throw new Error('outbox relay is not running');
    if (this.drainError) throw new Error(`outbox relay cannot read the outbox: ${this.drainError}`);
    if (this.brokerError) throw new Error(`outbox relay cannot reach Kafka: ${this.brokerError}`);
  }

  /** Rows waiting to be published (including backed-off ones). */
  async pendingCount(): Promise<number> {
    const [row] = (await this.options.dataSource.query(
      `SELECT count(*)::int AS n FROM outbox WHERE status = 'PENDING'`,
    )) as { n: number }[];
    return row?.n ?? 0;
  }

  /** Deletes rows published more than `olderThanMs` ago; returns how many. */
  async purgeSent(olderThanMs: number): Promise<number> {
    const [row] = (await this.options.dataSource.query(
      `WITH purged AS (
         DELETE FROM outbox WHERE status = 'SENT' AND sent_at < now() - $1::float8 * interval '1 millisecond' RETURNING 1
       ) SELECT count(*)::int AS n FROM purged`,
      [olderThanMs],
    )) as { n: number }[];
    return row?.n ?? 0;
  }

  /**
   * Claims and publishes one batch (one transaction). The background loop calls it; it is
   * public for tests and tools that drain by hand.
   */
  async drainOnce(): Promise<DrainResult> {
    const result: DrainResult = { busy: false, claimed: 0, sent: 0, failed: 0, dead: 0, brokerUnavailable: false };
    await this.options.dataSource.transaction(async (manager) => {
      const [lock] = (await manager.query(DRAIN_LOCK_SQL)) as { locked: boolean }[];
      if (!lock?.locked) {
        result.busy = true;
        return;
      }
      const rows = (await manager.query(CLAIM_SQL, [this.batchSize])) as OutboxRow[];
      result.claimed = rows.length;
      if (!rows.length) return;

      const { sent, failures } = await this.publish(rows);
      if (sent.length) {
        await manager.query(
          `UPDATE outbox SET status = 'SENT', sent_at = now(), last_error = NULL WHERE id = ANY($1::uuid[])`,
          [sent],
        );
        this.lastPublishedAt = new Date();
      }
      result.sent = sent.length;
      result.failed = failures.length;
      result.brokerUnavailable = failures.some((f) => f.unavailable);
      result.dead = await this.recordFailures(manager, failures);
      this.brokerError = result.brokerUnavailable
        ? describeError(failures.find((f) => f.unavailable)?.error)
        : undefined;
    });
    this.drainError = undefined;
    return result;
  }

  private async run(): Promise<void> {
    let unavailableStreak = 0;
    let drainFailures = 0;
    while (this.running) {
      let result: DrainResult | undefined;
      try {
        result = await this.drainOnce();
        drainFailures = 0;
      } catch (error) {
        drainFailures += 1;
        this.drainError = describeError(error);
        this.logger.error(`outbox drain failed: ${this.drainError}`);
      }
      if (!this.running) break;
      if (drainFailures) {
        await this.pause(backoffDelayMs(drainFailures, this.backoffBaseMs, this.backoffCapMs), false);
      } else if (result?.brokerUnavailable) {
        unavailableStreak += 1;
        // While Kafka is down, commits do not wake the relay: each try would fail alike. The
        // tries stay close together (one small batch each), so the backlog leaves soon after
        // the broker's return.
        const cap = Math.min(this.backoffCapMs, this.brokerRetryCapMs);
        await this.pause(backoffDelayMs(unavailableStreak, this.backoffBaseMs, cap), false);
      } else {
        unavailableStreak = 0;
        if (result && result.claimed >= this.batchSize) continue; // more is waiting
        await this.pause(this.pollIntervalMs, true);
      }
    }
  }

  private wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Waits `ms`, or less when stopped (or woken, if `wakeable`). */
  private async pause(ms: number, wakeable: boolean): Promise<void> {
    if (wakeable && this.woken) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        if (wakeable || !this.running) done();
      };
    });
    this.wakeUp = undefined;
    this.woken = false;
  }

  /** Publishes the batch; when that fails, isolates the failing rows one by one. */
  private async publish(rows: OutboxRow[]): Promise<{ sent: string[]; failures: Failure[] }> {
    try {
      await this.send(rows);
      return { sent: rows.map((r) => r.id), failures: [] };
    } catch (error) {
      if (isBrokerUnavailable(error) || rows.length === 1) {
        return { sent: [], failures: await this.failAll(rows, error) };
      }
    }
    // Some row is bad (or part of the batch went out: at least once allows resending it).
    // One by one, never letting a key's later event overtake its failed one.
    const sent: string[] = [];
    const failures: Failure[] = [];
    const blockedKeys = new Set<string>();
    for (const [index, row] of rows.entries()) {
      if (blockedKeys.has(row.message_key)) continue;
      try {
        await this.send([row]);
        sent.push(row.id);
      } catch (error) {
        blockedKeys.add(row.message_key);
        if (isBrokerUnavailable(error)) {
          // The broker went away: the rows not tried yet would fail alike (rows of keys
          // held back stay as they are; their failed predecessor holds them back again).
          const untried = rows.slice(index + 1).filter((r) => !blockedKeys.has(r.message_key));
          failures.push(...(await this.failAll([row, ...untried], error)));
          break;
        }
        failures.push({ row, error, unavailable: false });
      }
    }
    return { sent, failures };
  }

  private async failAll(rows: OutboxRow[], error: unknown): Promise<Failure[]> {
    const unavailable = isBrokerUnavailable(error);
    // A fresh client next time: kafkajs can keep half-open connections after an outage.
    if (unavailable) await this.dropProducer();
    return rows.map((row) => ({ row, error, unavailable }));
  }

  /** Backs failed rows off (or parks them) in one statement; returns how many were parked. */
  private async recordFailures(manager: EntityManager, failures: Failure[]): Promise<number> {
    if (!failures.length) return 0;
    const limits = {
      maxAttempts: this.maxAttempts,
      backoffBaseMs: this.backoffBaseMs,
      backoffCapMs: this.backoffCapMs,
    };
    const updates = failures.map((f) => ({
      ...f,
      ...outboxFailure(f.row.attempts, f.unavailable, limits),
      message: describeError(f.error),
    }));
    await manager.query(
      `UPDATE outbox o
          SET attempts = f.attempts, last_error = f.message,
              status = CASE WHEN f.dead THEN 'DEAD' ELSE 'PENDING' END,
              next_attempt_at = now() + f.delay_ms * interval '1 millisecond'
         FROM unnest($1::uuid[], $2::int[], $3::text[], $4::bool[], $5::float8[]) AS f(id, attempts, message, dead, delay_ms)
        WHERE o.id = f.id`,
      [
        updates.map((u) => u.row.id),
        updates.map((u) => u.attempts),
        updates.map((u) => u.message),
        updates.map((u) => u.dead),
        updates.map((u) => u.delayMs),
      ],
    );
    const unavailable = updates.find((u) => u.unavailable);
    if (unavailable) {
      this.logger.warn(
        `outbox: Kafka unreachable, ${updates.filter((u) => u.unavailable).length} event(s) wait (${unavailable.message})`,
      );
    }
    for (const u of updates) {
      if (u.unavailable) continue;
      if (u.dead) {
        this.logger.error(
          `outbox: event ${u.row.id} (${u.row.event_type}, topic ${u.row.topic}) parked as DEAD after ${u.attempts} attempts: ${u.message}`,
        );
      } else {
        this.logger.warn(
          `outbox: event ${u.row.id} (${u.row.event_type}) failed attempt ${u.attempts}/${this.maxAttempts}: ${u.message}`,
        );
      }
    }
    return updates.filter((u) => u.dead).length;
  }

  private async connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      this.producer = createKafkaClient(
        { ...this.options.settings, clientId: `${this.options.settings.clientId}-relay` },
        this.logger,
        // Few client-level retries: the outbox itself retries, durably and with backoff.
        { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
      ).producer({
        // Topics are created by ensureTopics; a mistyped topic must not create one.
        allowAutoTopicCreation: false,
        // One request at a time per broker: a retried request cannot overtake a later one.
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      this.producerConnected = false;
    }
    if (!this.producerConnected) {
      await this.producer.connect();
      this.producerConnected = true;
    }
    return this.producer;
  }

  private async dropProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    this.producerConnected = false;
    await producer?.disconnect().catch(() => undefined);
  }

  private async send(rows: OutboxRow[]): Promise<void> {
    const producer = await this.connectedProducer();
    const byTopic = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const list = byTopic.get(row.topic);
      if (list) list.push(row);
      else byTopic.set(row.topic, [row]);
    }
    const spans: MessageSpan[] = [];
    const topicMessages = [...byTopic].map(([topic, topicRows]) => {
      const name = topicName(this.options.settings, topic);
      return {
        topic: name,
        messages: topicRows.map((r) => {
          const span = startMessageSpan(`publish ${r.event_type}`, r.traceparent ?? undefined, {
            'messaging.system': 'kafka',
            'messaging.destination.name': name,
            'messaging.message.id': r.id,
          });
          spans.push(span);
          return { key: r.message_key, value: r.payload, headers: messageHeaders(r, span.traceparent) };
        }),
      };
    });
    try {
      await producer.sendBatch({ acks: -1, timeout: 10_000, topicMessages });
      for (const span of spans) span.end();
    } catch (error) {
      for (const span of spans) span.end(error);
      throw error;
    }
  }
}

/** A message's headers: its event's type and id, and what caused it (trace context, request id). */
function messageHeaders(row: OutboxRow, traceparent: string | undefined): IHeaders {
  const headers: IHeaders = { 'event-type': row.event_type, 'event-id': row.id };
  if (traceparent) headers[TRACEPARENT_HEADER] = traceparent;
  if (row.request_id) headers[REQUEST_ID_HEADER] = row.request_id;
  return headers;
}
