import { EventEnvelope, Topics } from '@licensing/events';
import { eventually } from '@licensing/testing';
import { changeAndEnqueue, enqueue, enqueueMany, OutboxRelay, OutboxRelayOptions } from '../src';
import {
  capturingLogger,
  collectMessages,
  deactivation,
  messagingFixture,
  MessagingFixture,
  ReceivedMessage,
} from './support';

interface OutboxRow {
  id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
}

describe('transactional outbox', () => {
  let f: MessagingFixture;
  const relays: OutboxRelay[] = [];
  const stops: (() => Promise<void>)[] = [];
  let couponsTopic: string;

  beforeAll(async () => {
    f = await messagingFixture('outbox');
    couponsTopic = `${f.settings.topicPrefix}${Topics.coupons}`;
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await Promise.all(stops.splice(0).map((s) => s()));
  });
  afterAll(async () => {
    await f?.close();
  });

  function relay(overrides: Partial<OutboxRelayOptions> = {}): OutboxRelay {
    const r = new OutboxRelay({
      dataSource: f.dataSource,
      settings: f.settings,
      logger: capturingLogger(),
      pollIntervalMs: 50,
      ...overrides,
    });
    relays.push(r);
    return r;
  }

  async function probe(topic = couponsTopic): Promise<ReceivedMessage[]> {
    const p = await collectMessages(f.settings, topic);
    stops.push(p.stop);
    return p.messages;
  }

  async function rows(ids: string[]): Promise<Record<string, OutboxRow>> {
    const found = (await f.dataSource.query(
      'SELECT id, status, attempts, last_error, sent_at FROM outbox WHERE id = ANY($1::uuid[])',
      [ids],
    )) as OutboxRow[];
    return Object.fromEntries(found.map((r) => [r.id, r]));
  }

  const idsOf = (messages: ReceivedMessage[], wanted: Set<string>) =>
    messages.map((m) => m.headers['event-id']!).filter((id) => wanted.has(id));

  it('publishes nothing from a transaction that rolled back', async () => {
    const rolledBack = deactivation();
    await expect(
      f.dataSource.transaction(async (manager) => {
        await enqueue(manager, rolledBack);
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    const committed = deactivation();
    await f.dataSource.transaction((manager) => enqueue(manager, committed));

    const messages = await probe();
    await relay().start();
    // The committed event was written after the rolled-back one, so once it is out the
    // other would have been too.
    await eventually(() => messages.some((m) => m.headers['event-id'] === committed.id), {
      what: 'the committed event',
    });
    expect(messages.map((m) => m.headers['event-id'])).not.toContain(rolledBack.id);
    expect(await rows([rolledBack.id])).toEqual({});
  });

  it('refuses to enqueue outside a transaction', async () => {
    await expect(enqueue(f.dataSource.manager, deactivation())).rejects.toThrow(/inside the transaction/);
  });

  it('commits a one-statement change with its events, and neither when the change fails', async () => {
    await f.dataSource.query('CREATE TABLE IF NOT EXISTS outbox_spec_changes (id uuid PRIMARY KEY)');
    const id = crypto.randomUUID();
    const [first, second] = [deactivation(), deactivation()];
    const change = { sql: 'INSERT INTO outbox_spec_changes (id) SELECT unnest($1::uuid[])', params: [[id]] };
    await changeAndEnqueue(f.dataSource, change, [first, second]);
    expect(await f.dataSource.query('SELECT id FROM outbox_spec_changes WHERE id = $1', [id])).toEqual([{ id }]);
    expect(Object.keys(await rows([first.id, second.id])).sort()).toEqual([first.id, second.id].sort());

    // The same id again breaks the primary key: no events either.
    const refused = deactivation();
    await expect(changeAndEnqueue(f.dataSource, change, [refused])).rejects.toThrow(/duplicate key/);
    expect(await rows([refused.id])).toEqual({});

    const messages = await probe();
    await relay().start();
    await eventually(() => idsOf(messages, new Set([first.id, second.id])).length === 2, {
      what: 'both events of the change',
    });
    // Published in the order given.
    expect(idsOf(messages, new Set([first.id, second.id]))).toEqual([first.id, second.id]);
  });

  it('keeps an event committed while Kafka is unreachable, then delivers it with its key and headers', async () => {
    const keyId = crypto.randomUUID();
    const event = deactivation(keyId);
    await f.dataSource.transaction((manager) => enqueue(manager, event));

    // Nothing listens on port 1. maxAttempts 2: an outage must not park events.
    const down = relay({
      settings: { ...f.settings, brokers: ['127.0.0.1:1'] },
      maxAttempts: 2,
      backoffBaseMs: 20,
      backoffCapMs: 40,
    });
    await down.start();
    await eventually(async () => (await rows([event.id]))[event.id]!.attempts >= 3, {
      what: 'failed publish attempts while Kafka is unreachable',
      timeoutMs: 15_000,
    });
    const waiting = (await rows([event.id]))[event.id]!;
    expect(waiting.status).toBe('PENDING');
    expect(waiting.last_error).toMatch(/ECONNREFUSED|Connection/);
    expect(await down.pendingCount()).toBeGreaterThanOrEqual(1);
    await expect(down.health()).rejects.toThrow(/cannot reach Kafka/);
    await down.stop();

    const messages = await probe();
    const up = relay({ backoffCapMs: 100 });
    await up.start();
    const received = await eventually(() => messages.find((m) => m.headers['event-id'] === event.id), {
      what: 'the event once Kafka is reachable',
      timeoutMs: 15_000,
    });
    expect(received.key).toBe(keyId);
    expect(received.headers['event-type']).toBe('coupon.deactivated');
    expect(JSON.parse(received.value)).toEqual(JSON.parse(JSON.stringify(event)));
    const sent = (await rows([event.id]))[event.id]!;
    expect(sent.status).toBe('SENT');
    expect(sent.sent_at).toBeInstanceOf(Date);
    await expect(up.health()).resolves.toBeUndefined();
  });

  it('brings the backlog out within 5 s of the broker coming back after a long outage', async () => {
    // The broker "moves" to an address where nothing listens and back: the relay reads the
    // broker list each time it builds a client, as it does after every failed connection.
    const brokers = ['127.0.0.1:1'];
    const r = relay({ settings: { ...f.settings, brokers } });
    await r.start();
    const events = Array.from({ length: 20 }, () => deactivation(crypto.randomUUID()));
    await f.dataSource.transaction(async (manager) => {
      for (const event of events) await enqueue(manager, event);
    });
    // Long enough for a 30 s-capped backoff to have grown past 5 s (it did, before the cap).
    await new Promise((resolve) => setTimeout(resolve, 16_000));
    expect(await r.pendingCount()).toBeGreaterThanOrEqual(events.length);

    const messages = await probe();
    const back = Date.now();
    brokers.splice(0, 1, ...f.settings.brokers);
    await eventually(() => events.every((e) => messages.some((m) => m.headers['event-id'] === e.id)), {
      what: 'the whole backlog once Kafka is reachable',
      timeoutMs: 10_000,
    });
    const tookMs = Date.now() - back;
    expect(tookMs).toBeLessThan(5_000);
    // The probe can see the messages a moment before the relay's drain commits and clears
    // its broker error; healthy again soon after is the claim.
    await eventually(() => r.health().then(() => true), { what: 'the relay healthy again', timeoutMs: 2_000 });
  }, 40_000);

  it('publishes each event exactly once with two relays on one database, in order per key', async () => {
    const keys = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const perKey = new Map(keys.map((k) => [k, [] as EventEnvelope<object>[]]));
    const messages = await probe();
    await Promise.all([relay({ batchSize: 7 }).start(), relay({ batchSize: 7 }).start()]);

    // Writers in parallel, one per key, each committing small batches while both relays run.
    await Promise.all(
      keys.map(async (key) => {
        for (let i = 0; i < 5; i++) {
          const batch = Array.from({ length: 8 }, () => deactivation(key));
          perKey.get(key)!.push(...batch);
          await f.dataSource.transaction(async (manager) => {
            await enqueueMany(manager, batch.slice(0, 5));
            for (const e of batch.slice(5)) await enqueue(manager, e);
          });
        }
      }),
    );
    const all = new Set([...perKey.values()].flat().map((e) => e.id));
    expect(all.size).toBe(120);
    await eventually(() => idsOf(messages, all).length >= all.size, { what: 'all 120 events', timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 500)); // room for a duplicate to show up
    const received = idsOf(messages, all);
    expect(received).toHaveLength(all.size);
    expect(new Set(received).size).toBe(all.size);
    for (const [key, events] of perKey) {
      const ofKey = messages.filter((m) => m.key === key).map((m) => m.headers['event-id']);
      expect(ofKey).toEqual(events.map((e) => e.id));
    }
  });

  it('keeps the order of a large batch enqueued in one statement', async () => {
    const keyId = crypto.randomUUID();
    // One statement gives many rows the same clock_timestamp(); the order must still hold,
    // also for an event enqueued right after the batch in the same transaction.
    const events = [...Array.from({ length: 300 }, () => deactivation(keyId))];
    const after = deactivation(keyId);
    await f.dataSource.transaction(async (manager) => {
      await enqueueMany(manager, events);
      await enqueue(manager, after);
    });
    const expected = [...events, after].map((e) => e.id);
    const stored = (await f.dataSource.query(
      'SELECT id, created_at::text AS t FROM outbox WHERE id = ANY($1::uuid[]) ORDER BY created_at, id',
      [expected],
    )) as { id: string; t: string }[];
    expect(stored.map((r) => r.id)).toEqual(expected);
    expect(new Set(stored.map((r) => r.t)).size).toBe(expected.length); // no ties for the relay to break at random
    const messages = await probe();
    await relay({ batchSize: 50 }).start();
    const ids = new Set(expected);
    await eventually(() => idsOf(messages, ids).length === expected.length, { what: 'the batch', timeoutMs: 15_000 });
    expect(idsOf(messages, ids)).toEqual(expected);
  });

  it('parks a poison row as DEAD after maxAttempts; other keys go on, its own key waits for it', async () => {
    const poisonKey = crypto.randomUUID();
    const poison = deactivation(poisonKey);
    const sameKey = deactivation(poisonKey);
    const otherKey = deactivation();
    await f.dataSource.transaction(async (manager) => {
      await enqueue(manager, poison, 'invalid topic name!'); // Kafka rejects this name, always
      await enqueueMany(manager, [sameKey, otherKey]);
    });
    const messages = await probe();
    const logger = capturingLogger();
    // Drained by hand, so each step can be looked at; the long backoff is cut short below.
    const r = relay({ maxAttempts: 3, backoffBaseMs: 60_000, backoffCapMs: 60_000, logger });

    const first = await r.drainOnce();
    expect(first).toMatchObject({ claimed: 3, sent: 1, failed: 1, dead: 0, brokerUnavailable: false });
    let state = await rows([poison.id, sameKey.id, otherKey.id]);
    expect(state[otherKey.id]!.status).toBe('SENT');
    expect(state[poison.id]).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(state[sameKey.id]).toMatchObject({ status: 'PENDING', attempts: 0 });

    // The poison waits for its backoff; its key's later event is due but held back.
    expect(await r.drainOnce()).toMatchObject({ claimed: 0 });

    const history: string[] = [];
    for (let i = 0; i < 10 && state[sameKey.id]!.status !== 'SENT'; i++) {
      await f.dataSource.query(`UPDATE outbox SET next_attempt_at = now() WHERE id = $1 AND status = 'PENDING'`, [
        poison.id,
      ]);
      await r.drainOnce();
      state = await rows([poison.id, sameKey.id]);
      history.push(`${state[poison.id]!.status}/${state[sameKey.id]!.status}`);
    }
    // The later event of the poison's key went out only after the poison was parked.
    expect(history.filter((h) => h === 'PENDING/SENT')).toEqual([]);
    expect(state[sameKey.id]!.status).toBe('SENT');
    expect(state[poison.id]).toMatchObject({ status: 'DEAD', attempts: 3 });
    expect(state[poison.id]!.last_error).toMatch(/invalid topic/i);
    expect(r.status().brokerError).toBeUndefined();
    expect(logger.lines.some((l) => l.startsWith('error') && l.includes(poison.id) && l.includes('DEAD'))).toBe(true);

    await eventually(() => messages.some((m) => m.headers['event-id'] === sameKey.id), { what: 'the held-back event' });
    expect(messages.map((m) => m.headers['event-id'])).toEqual(expect.arrayContaining([otherKey.id, sameKey.id]));
    expect(messages.map((m) => m.headers['event-id'])).not.toContain(poison.id);
  });

  it('wakes on commit through LISTEN/NOTIFY, without waiting for the poll', async () => {
    const messages = await probe();
    const r = relay({ pollIntervalMs: 60_000 });
    await r.start();
    await eventually(() => r.status().listening, { what: 'the listener' });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the first (empty) drains are over
    const event = deactivation();
    const committedAt = Date.now();
    await f.dataSource.transaction((manager) => enqueue(manager, event));
    await eventually(() => messages.some((m) => m.headers['event-id'] === event.id), {
      what: 'the notified event',
      timeoutMs: 5_000,
    });
    expect(Date.now() - committedAt).toBeLessThan(5_000);
  });

  it('counts pending rows and purges sent ones', async () => {
    const r = relay();
    const count = async (status: string) =>
      (
        (await f.dataSource.query('SELECT count(*)::int AS n FROM outbox WHERE status = $1', [status])) as {
          n: number;
        }[]
      )[0]!.n;
    const before = await r.pendingCount();
    await f.dataSource.transaction((manager) => enqueue(manager, deactivation()));
    expect(await r.pendingCount()).toBe(before + 1);
    const sent = await count('SENT');
    const dead = await count('DEAD');
    expect(sent).toBeGreaterThan(0); // from the tests above
    expect(await r.purgeSent(60_000)).toBe(0); // nothing is a minute old yet
    expect(await r.purgeSent(0)).toBe(sent);
    expect(await count('SENT')).toBe(0);
    expect(await count('DEAD')).toBe(dead);
    expect(await r.pendingCount()).toBe(before + 1);
  });
});
