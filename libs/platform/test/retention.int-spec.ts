import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ServiceConfig } from '@licensing/config';
import {
  createIdempotencyMigration,
  dropDatabase,
  ensureDatabase,
  rows,
  runMigrations,
  serviceDataSourceOptions,
} from '@licensing/database';
import { createMessagingMigration, createProcessedEventsAgeMigration } from '@licensing/kafka';
import { testInfrastructure } from '@licensing/testing';
import { RetentionService } from '../src/retention';

describe('RetentionService (outbox, processed events, idempotency keys)', () => {
  let url: string;
  let dataSource: DataSource;

  beforeAll(async () => {
    const base = new URL((await testInfrastructure()).postgresUrl);
    base.pathname = `/t_retention_${randomBytes(4).toString('hex')}`;
    url = base.toString();
    await ensureDatabase(url);
    dataSource = await new DataSource(
      serviceDataSourceOptions({
        url,
        service: 'retention',
        entities: [],
        migrations: [
          createMessagingMigration(1732000000000),
          createIdempotencyMigration(1732000000001),
          createProcessedEventsAgeMigration(1732000000002),
        ],
      }),
    ).initialize();
    await runMigrations(dataSource, 'retention');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await dropDatabase(url);
  });

  beforeEach(async () => {
    await dataSource.query('TRUNCATE outbox, processed_events, idempotency_keys');
  });

  const service = (days?: number) =>
    new RetentionService(dataSource, Object.assign(new ServiceConfig(), days ? { EVENT_RETENTION_DAYS: days } : {}));

  /** An outbox row with the given status, created and (if SENT) sent `ageDays` ago. */
  async function outboxRow(status: 'PENDING' | 'SENT' | 'DEAD', ageDays: number): Promise<string> {
    const id = randomUUID();
    await dataSource.query(
      `INSERT INTO outbox (id, topic, message_key, event_type, payload, status, created_at, sent_at)
       VALUES ($1, 't', 'k', 'x.y', '{}', $2, now() - $3::float8 * interval '1 day',
               CASE WHEN $2 = 'SENT' THEN now() - $3::float8 * interval '1 day' END)`,
      [id, status, ageDays],
    );
    return id;
  }

  async function processed(ageDays: number): Promise<string> {
    const id = randomUUID();
    await dataSource.query(
      `INSERT INTO processed_events (consumer, event_id, processed_at) VALUES ('c', $1, now() - $2::float8 * interval '1 day')`,
      [id, ageDays],
    );
    return id;
  }

  const outboxIds = async () =>
    (await rows<{ id: string }>(dataSource, 'SELECT id FROM outbox')).map((r) => r.id).sort();
  const processedIds = async () =>
    (await rows<{ event_id: string }>(dataSource, 'SELECT event_id FROM processed_events'))
      .map((r) => r.event_id)
      .sort();

  it('by default forgets published outbox rows and processed events older than 7 days, and keeps the rest', async () => {
    const oldSent = await outboxRow('SENT', 8);
    const newSent = await outboxRow('SENT', 6);
    const oldPending = await outboxRow('PENDING', 30);
    const oldDead = await outboxRow('DEAD', 30);
    const oldProcessed = await processed(7.1);
    const newProcessed = await processed(6.9);

    const result = await service().runOnce();

    expect(result).toMatchObject({ sentOutboxRows: 1, processedEvents: 1 });
    expect(await outboxIds()).toEqual([newSent, oldPending, oldDead].sort());
    expect(await outboxIds()).not.toContain(oldSent);
    expect(await processedIds()).toEqual([newProcessed]);
    expect(await processedIds()).not.toContain(oldProcessed);
  });

  it('follows EVENT_RETENTION_DAYS', async () => {
    const fourDays = await outboxRow('SENT', 4);
    const twoDays = await outboxRow('SENT', 2);
    const p4 = await processed(4);
    const p2 = await processed(2);
    expect(await service(7).runOnce()).toMatchObject({ sentOutboxRows: 0, processedEvents: 0 });
    expect(await outboxIds()).toEqual([fourDays, twoDays].sort());

    expect(await service(3).runOnce()).toMatchObject({ sentOutboxRows: 1, processedEvents: 1 });
    expect(await outboxIds()).toEqual([twoDays]);
    expect(await processedIds()).toEqual([p2]);
    expect(await processedIds()).not.toContain(p4);
  });

  it('finds old processed events through the age index, not by reading the whole table', async () => {
    await dataSource.query(
      `INSERT INTO processed_events (consumer, event_id, processed_at)
       SELECT 'c', gen_random_uuid(), now() - (n || ' seconds')::interval FROM generate_series(1, 50000) AS n`,
    );
    await dataSource.query('ANALYZE processed_events');
    const plan = await dataSource.transaction(async (m) => {
      // Only a plan that can use an index is left; without processed_events_age_idx it is a seq scan anyway.
      await m.query('SET LOCAL enable_seqscan = off');
      const lines = (await m.query(
        `EXPLAIN SELECT consumer, event_id FROM processed_events
          WHERE processed_at < now() - 7 * interval '1 day' LIMIT 1000 FOR UPDATE SKIP LOCKED`,
      )) as { 'QUERY PLAN': string }[];
      return lines.map((l) => l['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('processed_events_age_idx');
  });

  it('deletes a backlog larger than one batch completely', async () => {
    await dataSource.query(
      `INSERT INTO outbox (id, topic, message_key, event_type, payload, status, created_at, sent_at)
       SELECT gen_random_uuid(), 't', 'k', 'x.y', '{}', 'SENT', now() - interval '9 days', now() - interval '9 days'
         FROM generate_series(1, 12000)`,
    );
    await dataSource.query(
      `INSERT INTO processed_events (consumer, event_id, processed_at)
       SELECT 'c', gen_random_uuid(), now() - interval '9 days' FROM generate_series(1, 12000)`,
    );
    const keep = await outboxRow('SENT', 1);
    expect(await service().runOnce()).toMatchObject({ sentOutboxRows: 12000, processedEvents: 12000 });
    expect(await outboxIds()).toEqual([keep]);
    expect(await processedIds()).toEqual([]);
  });

  it('is safe to run in two instances at once', async () => {
    await dataSource.query(
      `INSERT INTO outbox (id, topic, message_key, event_type, payload, status, created_at, sent_at)
       SELECT gen_random_uuid(), 't', 'k', 'x.y', '{}', 'SENT', now() - interval '9 days', now() - interval '9 days'
         FROM generate_series(1, 8000)`,
    );
    const keep = await outboxRow('SENT', 1);
    const [a, b] = await Promise.all([service().runOnce(), service().runOnce()]);
    expect(a.sentOutboxRows + b.sentOutboxRows).toBe(8000);
    expect(await outboxIds()).toEqual([keep]);
  });
});
