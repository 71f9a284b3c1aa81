import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { row, rows, updated } from '@licensing/database';
import { WEBHOOK_PING, WebhookAttemptRecord, WebhookDeliveryRecord, WebhookEndpointRecord } from './webhook.entity';

/**
 * The channel a commit that makes deliveries due notifies (LISTEN/NOTIFY): the workers wake at
 * once instead of at their next poll. A notification is only a hint; polling covers a lost one.
 */
export const WEBHOOK_DUE_CHANNEL = 'licensing_webhook_due';

/** A delivery taken for an attempt, with what sending it needs. */
export interface TakenDelivery {
  id: string;
  vendor_id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  key_id: string | null;
  payload: Record<string, unknown>;
  attempts: number;
  url: string;
  secret_sealed: string;
}

/** One attempt's record: what the delivery's row and its log line get. */
export interface AttemptRecordRow {
  id: string;
  /** The delivery's attempt count when it was read, before this attempt: the record applies only if it is unchanged. */
  attempts: number;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  statusCode: number | null;
  error: string | null;
  nextAttemptAt: Date | null;
  durationMs: number;
  attemptedAt: Date;
}

/** A delivery as the list of notifications shows it. */
export interface DeliveryWithUrl {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  key_id: string | null;
  status: WebhookDeliveryRecord['status'];
  attempts: number;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
  url: string;
}

@Injectable()
export class WebhookRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get endpoints() {
    return this.dataSource.getRepository(WebhookEndpointRecord);
  }

  insertEndpoint(endpoint: Omit<WebhookEndpointRecord, 'createdAt' | 'updatedAt'>): Promise<WebhookEndpointRecord> {
    return this.endpoints.save(this.endpoints.create({ ...endpoint, createdAt: new Date(), updatedAt: new Date() }));
  }

  findEndpoint(vendorId: string, id: string): Promise<WebhookEndpointRecord | null> {
    return this.endpoints.findOneBy({ vendorId, id });
  }

  findEndpoints(vendorId: string): Promise<WebhookEndpointRecord[]> {
    return this.endpoints.find({ where: { vendorId }, order: { createdAt: 'ASC' } });
  }

  async saveEndpoint(endpoint: WebhookEndpointRecord): Promise<WebhookEndpointRecord> {
    endpoint.updatedAt = new Date();
    return this.endpoints.save(endpoint);
  }

  async deleteEndpoint(vendorId: string, id: string): Promise<boolean> {
    return ((await this.endpoints.delete({ vendorId, id })).affected ?? 0) > 0;
  }

  /**
   * Disables an enabled endpoint in the caller's transaction (its queued deliveries wait until it
   * is enabled again); true only for the call that disabled it, so its consequences happen once.
   */
  async disableEndpoint(manager: EntityManager, id: string, reason: string): Promise<boolean> {
    const { count } = await updated(
      manager,
      `UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = now(),
              sender_id = NULL, sender_until = NULL
        WHERE id = $1 AND enabled
        RETURNING id`,
      [id, reason],
    );
    return count > 0;
  }

  /**
   * Queues events, in their order, for every enabled endpoint of their vendor that takes their
   * type, in one statement in the caller's transaction; (endpoint, event) is unique, so a second
   * fan-out adds nothing. The commit wakes the workers when it queued anything.
   */
  async fanOut(
    manager: EntityManager,
    events: { id: string; type: string; vendorId: string; keyId: string | null; payload: object }[],
  ): Promise<number> {
    if (!events.length) return 0;
    const inserted = await row<{ n: number }>(
      manager,
      `WITH inserted AS (
         INSERT INTO webhook_deliveries (id, vendor_id, endpoint_id, event_id, event_type, key_id, payload)
         SELECT gen_random_uuid(), e.vendor_id, e.id, ev.id, ev.type, ev.key_id, ev.payload::jsonb
           FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::text[])
                WITH ORDINALITY AS ev(id, type, vendor_id, key_id, payload, ord)
           JOIN webhook_endpoints e
             ON e.vendor_id = ev.vendor_id AND e.enabled
            AND (cardinality(e.event_types) = 0 OR ev.type = ANY (e.event_types))
          ORDER BY ev.ord, e.created_at
         ON CONFLICT ON CONSTRAINT webhook_deliveries_once_key DO NOTHING
         RETURNING id
       )
       SELECT count(*)::int AS n, CASE WHEN count(*) > 0 THEN pg_notify('${WEBHOOK_DUE_CHANNEL}', '') END AS notified
         FROM inserted`,
      [
        events.map((e) => e.id),
        events.map((e) => e.type),
        events.map((e) => e.vendorId),
        events.map((e) => e.keyId),
        events.map((e) => JSON.stringify(e.payload)),
      ],
    );
    return inserted?.n ?? 0;
  }

  /** Queues one event for one endpoint (a test ping). */
  async insertDelivery(delivery: {
    id: string;
    vendorId: string;
    endpointId: string;
    eventId: string;
    eventType: string;
    payload: object;
  }): Promise<void> {
    await updated(
      this.dataSource,
      `WITH inserted AS (
         INSERT INTO webhook_deliveries (id, vendor_id, endpoint_id, event_id, event_type, payload)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb)
         RETURNING id
       )
       SELECT id, pg_notify('${WEBHOOK_DUE_CHANNEL}', '') FROM inserted`,
      [
        delivery.id,
        delivery.vendorId,
        delivery.endpointId,
        delivery.eventId,
        delivery.eventType,
        JSON.stringify(delivery.payload),
      ],
    );
  }

  findDelivery(vendorId: string, id: string): Promise<WebhookDeliveryRecord | null> {
    return this.dataSource.getRepository(WebhookDeliveryRecord).findOneBy({ vendorId, id });
  }

  findDeliveries(vendorId: string, endpointId: string, first: number): Promise<WebhookDeliveryRecord[]> {
    return this.dataSource
      .getRepository(WebhookDeliveryRecord)
      .find({ where: { vendorId, endpointId }, order: { seq: 'DESC' }, take: first });
  }

  /**
   * The vendor's deliveries of events (test pings left out) with their endpoint's URL, newest
   * first; of one key's events when keyId is given.
   */
  findEventDeliveries(vendorId: string, keyId: string | undefined, first: number): Promise<DeliveryWithUrl[]> {
    return rows<DeliveryWithUrl>(
      this.dataSource,
      `SELECT d.id, d.endpoint_id, d.event_id, d.event_type, d.key_id, d.status, d.attempts, d.last_error,
              d.created_at, d.delivered_at, e.url
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
        WHERE d.vendor_id = $1 AND ($2::uuid IS NULL OR d.key_id = $2) AND d.event_type <> $4
        ORDER BY d.seq DESC
        LIMIT $3`,
      [vendorId, keyId ?? null, first, WEBHOOK_PING],
    );
  }

  findAttempts(deliveryIds: string[]): Promise<WebhookAttemptRecord[]> {
    if (!deliveryIds.length) return Promise.resolve([]);
    return this.dataSource
      .getRepository(WebhookAttemptRecord)
      .createQueryBuilder('a')
      .where('a.delivery_id = ANY(:ids)', { ids: deliveryIds })
      .orderBy('a.id', 'ASC')
      .getMany();
  }

  /**
   * Puts a delivery back in the queue now (a redelivery): its attempts and log stay. A pending
   * delivery whose attempt is under way is only made due; that attempt answers for it.
   */
  async requeue(vendorId: string, id: string): Promise<boolean> {
    const { count } = await updated(
      this.dataSource,
      `UPDATE webhook_deliveries SET status = 'PENDING', next_attempt_at = now()
        WHERE vendor_id = $1 AND id = $2
        RETURNING id, pg_notify('${WEBHOOK_DUE_CHANNEL}', '')`,
      [vendorId, id],
    );
    return count > 0;
  }

  /**
   * A worker's endpoints for the next `leaseMs`. It keeps those it holds that are enabled and
   * still have work (`keep`: deliveries it has in hand; or deliveries due) and lets go of the
   * rest; then it claims up to `claimMore` enabled endpoints with deliveries due that no
   * worker holds, or whose worker's lease ran out (the oldest lease first). Only an endpoint's
   * worker sends its deliveries. Returns the endpoints it holds now.
   */
  async claimEndpoints(workerId: string, leaseMs: number, keep: string[], claimMore: number): Promise<string[]> {
    const due = `EXISTS (SELECT 1 FROM webhook_deliveries d
                          WHERE d.endpoint_id = e.id AND d.status = 'PENDING' AND d.next_attempt_at <= now())`;
    const { rows } = await updated<{ id: string }>(
      this.dataSource,
      `WITH mine AS (
         SELECT e.id, e.enabled AND (e.id = ANY ($3::uuid[]) OR ${due}) AS kept
           FROM webhook_endpoints e
          WHERE e.sender_id = $1
       ), renewed AS (
         UPDATE webhook_endpoints e
            SET sender_id = CASE WHEN mine.kept THEN $1::uuid END,
                sender_until = CASE WHEN mine.kept THEN now() + $2 * interval '1 millisecond' END
           FROM mine
          WHERE e.id = mine.id
         RETURNING e.id, mine.kept
       ), free AS (
         SELECT e.id FROM webhook_endpoints e
          WHERE e.enabled AND (e.sender_id IS NULL OR e.sender_until <= now()) AND e.sender_id IS DISTINCT FROM $1
            AND ${due}
          ORDER BY e.sender_until NULLS FIRST
          LIMIT $4
          FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE webhook_endpoints e SET sender_id = $1, sender_until = now() + $2 * interval '1 millisecond'
           FROM free
          WHERE e.id = free.id
         RETURNING e.id
       )
       SELECT id FROM renewed WHERE kept UNION ALL SELECT id FROM claimed`,
      [workerId, leaseMs, keep, Math.max(claimMore, 0)],
    );
    return rows.map((r) => r.id);
  }

  /** Lets go of every endpoint a worker holds (it stops). */
  async releaseEndpoints(workerId: string): Promise<void> {
    await updated(
      this.dataSource,
      `UPDATE webhook_endpoints SET sender_id = NULL, sender_until = NULL WHERE sender_id = $1 RETURNING id`,
      [workerId],
    );
  }

  /**
   * Due deliveries of the given endpoints, the earliest first, up to a count per endpoint,
   * leaving out those the worker has in hand. Reading changes nothing: the endpoint's lease is
   * what keeps other workers away. Each endpoint reads only its first few due deliveries
   * (webhook_deliveries_endpoint_due_idx), so a read costs the same with 50 or 50,000 queued.
   */
  async dueDeliveries(wanted: { endpointId: string; count: number }[], held: string[]): Promise<TakenDelivery[]> {
    if (!wanted.length) return [];
    return this.dataSource.transaction(async (m) => {
      // Each endpoint's first few in index order, never "all due, then sorted": on a table whose
      // statistics lag behind a burst the planner takes the due rows for a handful and picks a
      // bitmap scan that reads all of them (10 ms a read with 5 × 4,000 queued, bench/notifications).
      await m.query('SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off');
      return rows<TakenDelivery>(
        m,
        `SELECT d.id, d.vendor_id, d.endpoint_id, d.event_id, d.event_type, d.key_id, d.payload, d.attempts,
                e.url, e.secret_sealed
           FROM unnest($1::uuid[], $2::int[]) AS w(endpoint_id, n)
           JOIN webhook_endpoints e ON e.id = w.endpoint_id AND e.enabled
          CROSS JOIN LATERAL (
            SELECT * FROM webhook_deliveries d
             WHERE d.endpoint_id = w.endpoint_id AND d.status = 'PENDING' AND d.next_attempt_at <= now()
               AND d.id <> ALL ($3::uuid[])
             ORDER BY d.next_attempt_at, d.seq
             LIMIT w.n
          ) d`,
        [wanted.map((w) => w.endpointId), wanted.map((w) => w.count), held],
      );
    });
  }

  /**
   * The endpoint answered: up to `limit` of its deliveries waiting for a retry (the earliest
   * first) become due now instead of at their scheduled attempt. Each success pulls the next
   * ones, so a receiver that is back gets its backlog at the pace it takes it, while one that
   * answered once and fails again costs at most `limit` early attempts. Returns how many. (The
   * choice is a materialized CTE: as `id IN (SELECT … LIMIT … FOR UPDATE)` the planner may rerun
   * the subquery for each row, each rerun passing over the rows the statement already updated,
   * and pull them all; the flapping-receiver test caught it.)
   */
  async pullForward(manager: EntityManager, endpointId: string, limit: number): Promise<number> {
    const { count } = await updated(
      manager,
      `WITH pulled AS MATERIALIZED (
         SELECT id FROM webhook_deliveries
          WHERE endpoint_id = $1 AND status = 'PENDING' AND attempts > 0 AND next_attempt_at > now()
          ORDER BY next_attempt_at
          LIMIT $2
          FOR UPDATE SKIP LOCKED
       )
       UPDATE webhook_deliveries d SET next_attempt_at = now()
         FROM pulled
        WHERE d.id = pulled.id
        RETURNING d.id, pg_notify('${WEBHOOK_DUE_CHANNEL}', '')`,
      [endpointId, limit],
    );
    return count;
  }

  /**
   * Records attempts and their deliveries' new states (one statement for all), each only if
   * its delivery is as it was read (pending, the same attempt count): an attempt whose delivery
   * was recorded meanwhile (another worker after a lost lease) changes nothing. Returns the ids
   * recorded.
   */
  async recordAttempts(manager: EntityManager, attempts: AttemptRecordRow[]): Promise<Set<string>> {
    if (!attempts.length) return new Set();
    const column = <K extends keyof AttemptRecordRow>(key: K) => attempts.map((a) => a[key]);
    const { rows } = await updated<{ id: string }>(
      manager,
      `WITH outcome AS (
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::int[], $5::text[], $6::timestamptz[], $7::int[],
                              $8::timestamptz[])
                    AS o(id, attempts, status, status_code, error, next_attempt_at, duration_ms, attempted_at)
       ), changed AS (
         UPDATE webhook_deliveries d
            SET status = o.status, attempts = d.attempts + 1, last_status_code = o.status_code, last_error = o.error,
                next_attempt_at = coalesce(o.next_attempt_at, d.next_attempt_at),
                delivered_at = CASE WHEN o.status = 'DELIVERED' THEN now() ELSE d.delivered_at END
           FROM outcome o
          WHERE d.id = o.id AND d.status = 'PENDING' AND d.attempts = o.attempts
         RETURNING d.id
       ), logged AS (
         INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, duration_ms, error, next_attempt_at)
         SELECT o.id, o.attempted_at, o.status_code, o.duration_ms, o.error, o.next_attempt_at
           FROM outcome o JOIN changed c ON c.id = o.id
       )
       SELECT id FROM changed`,
      [
        column('id'),
        column('attempts'),
        column('status'),
        column('statusCode'),
        column('error'),
        column('nextAttemptAt'),
        column('durationMs'),
        column('attemptedAt'),
      ],
    );
    return new Set(rows.map((r) => r.id));
  }
}
