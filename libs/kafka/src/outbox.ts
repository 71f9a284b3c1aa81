import { DataSource, EntityManager, QueryRunner } from 'typeorm';
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
  const rows = (await manager.query(
    `WITH ${outboxInsert(0)} ${NOTIFY_AND_LAST}`,
    outboxParams(events, topic, lastCreatedAt.get(runner) ?? null),
  )) as { last: string }[];
  if (rows[0]?.last) lastCreatedAt.set(runner, rows[0].last);
}

/**
 * A change and its events in one statement, outside any transaction: `change` is one
 * data-modifying statement (INSERT, UPDATE or DELETE with parameters $1…$n) and runs as a
 * part of the outbox insert, so both commit together or not at all. One round trip instead
 * of four (BEGIN, change, enqueue, COMMIT) for a writer that has nothing else to do in the
 * transaction: on a busy instance each round trip waits its turn in the event loop.
 */
export async function changeAndEnqueue(
  db: DataSource,
  change: { sql: string; params: readonly unknown[] },
  events: readonly EventEnvelope<unknown>[],
  topic?: string,
): Promise<void> {
  if (!events.length) {
    await db.query(change.sql, [...change.params]);
    return;
  }
  await db.query(`WITH change AS (${change.sql}), ${outboxInsert(change.params.length)} ${NOTIFY_AND_LAST}`, [
    ...change.params,
    ...outboxParams(events, topic, null),
  ]);
}

/**
 * The outbox insert as the common table expressions `base` and `inserted`, its parameters
 * numbered from `offset` + 1 (in the order outboxParams gives them).
 */
function outboxInsert(offset: number): string {
  const $ = (n: number) => `$${offset + n}`;
  return `base AS (
       SELECT greatest(clock_timestamp(), coalesce(${$(6)}::timestamptz + interval '1 microsecond', '-infinity')) AS t
     ), inserted AS (
       INSERT INTO outbox (id, topic, message_key, event_type, payload, created_at, traceparent, request_id)
       SELECT e.id, e.topic, e.message_key, e.event_type, e.payload::jsonb, base.t + (e.ord - 1) * interval '1 microsecond',
              ${$(7)}::text, ${$(8)}::text
         FROM unnest(${$(1)}::uuid[], ${$(2)}::text[], ${$(3)}::text[], ${$(4)}::text[], ${$(5)}::text[])
              WITH ORDINALITY AS e(id, topic, message_key, event_type, payload, ord), base
       RETURNING created_at
     )`;
}

const NOTIFY_AND_LAST = `SELECT max(created_at)::text AS last, pg_notify('${OUTBOX_CHANNEL}', '') AS notified FROM inserted`;

function outboxParams(events: readonly EventEnvelope<unknown>[], topic: string | undefined, after: string | null) {
  for (const event of events) {
    if (!event.subject) throw new Error(`Event ${event.id} (${event.type}) has no subject to key it by`);
  }
  return [
    events.map((e) => e.id),
    events.map((e) => topicOf(e, topic)),
    events.map((e) => e.subject),
    events.map((e) => e.type),
    events.map((e) => JSON.stringify(e)),
    after,
    // What caused these events, for the consumers' traces and log lines.
    currentTraceparent() ?? null,
    currentRequestId() ?? null,
  ];
}

/** enqueueMany for one event. */
export function enqueue(manager: EntityManager, event: EventEnvelope<unknown>, topic?: string): Promise<void> {
  return enqueueMany(manager, [event], topic);
}
