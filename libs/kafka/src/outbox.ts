import { EntityManager, QueryRunner } from 'typeorm';
import { EventEnvelope, findEventDefinition } from '@licensing/events';
import { currentRequestId, currentTraceparent } from '@licensing/telemetry';

/**
 * Postgres channel the relay LISTENs on. enqueue() notifies it; Postgres delivers the
 * notification only when (and if) the transaction commits. Channels are per database.
 */
export const OUTBOX_CHANNEL = 'licensing_outbox';

function topicOf(event: EventEnvelope<unknown>, topic?: string): string {
  const resolved = topic ?? findEventDefinition(event.type)?.topic;
  if (!resolved) throw new Error(`No topic for event type ${event.type}: pass one or add the type to EVENT_CATALOGUE`);
  return resolved;
}

/**
 * The last created_at this transaction gave an outbox row. Rows of one statement would
 * otherwise share a clock_timestamp() often (it ticks in microseconds), and the relay orders
 * by created_at: the next row always gets a strictly later one, so events leave in the order
 * they were enqueued.
 */
const lastCreatedAt = new WeakMap<QueryRunner, string>();

/**
 * Writes events into the outbox inside the caller's transaction, in one statement, so
 * they are published if and only if the state change commits, in the order given.
 * `manager` must be a transaction's manager (`dataSource.transaction(manager => ...)`).
 * The topic comes from the event's definition in EVENT_CATALOGUE unless given (base name,
 * without prefix); the message key is `event.subject`. The current trace context and
 * request id (libs/telemetry) are kept beside the events and travel in their headers.
 */
export async function enqueueMany(
  manager: EntityManager,
  events: readonly EventEnvelope<unknown>[],
  topic?: string,
): Promise<void> {
  if (!events.length) return;
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) {
    throw new Error(
      'enqueue() must run inside the transaction that changes the state (use the manager of dataSource.transaction)',
    );
  }
  for (const event of events) {
    if (!event.subject) throw new Error(`Event ${event.id} (${event.type}) has no subject to key it by`);
  }
  const rows = (await manager.query(
    `WITH base AS (
       SELECT greatest(clock_timestamp(), coalesce($6::timestamptz + interval '1 microsecond', '-infinity')) AS t
     ), inserted AS (
       INSERT INTO outbox (id, topic, message_key, event_type, payload, created_at, traceparent, request_id)
       SELECT e.id, e.topic, e.message_key, e.event_type, e.payload::jsonb, base.t + (e.ord - 1) * interval '1 microsecond',
              $7::text, $8::text
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])
              WITH ORDINALITY AS e(id, topic, message_key, event_type, payload, ord), base
       RETURNING created_at
     )
     SELECT max(created_at)::text AS last, pg_notify('${OUTBOX_CHANNEL}', '') AS notified FROM inserted`,
    [
      events.map((e) => e.id),
      events.map((e) => topicOf(e, topic)),
      events.map((e) => e.subject),
      events.map((e) => e.type),
      events.map((e) => JSON.stringify(e)),
      lastCreatedAt.get(runner) ?? null,
      // What caused these events, for the consumers' traces and log lines.
      currentTraceparent() ?? null,
      currentRequestId() ?? null,
    ],
  )) as { last: string }[];
  if (rows[0]?.last) lastCreatedAt.set(runner, rows[0].last);
}

/** enqueueMany for one event. */
export function enqueue(manager: EntityManager, event: EventEnvelope<unknown>, topic?: string): Promise<void> {
  return enqueueMany(manager, [event], topic);
}
