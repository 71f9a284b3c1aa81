import { CouponDeactivated, createEvent, EventEnvelope, Topics } from '@licensing/events';
import { eventually } from '@licensing/testing';
import { enqueue, OutboxRelay } from '../src';
import { collectMessages, messagingFixture, MessagingFixture, quietLogger } from './support';

const vendorId = '6a1f3c2e-5b4d-4e8f-9a7b-1c2d3e4f5a6b';

function deactivation(keyId: string): EventEnvelope<object> {
  return createEvent(CouponDeactivated, {
    vendorId,
    subject: keyId,
    data: {
      activationId: crypto.randomUUID(),
      couponId: crypto.randomUUID(),
      couponCode: 'DEMOUPD-AAAAA-BBBBB-CCCCC-DDDDD',
      couponType: 'ADD_PRODUCT',
      keyId,
      keyCode: 'DEMO-AAAAA-BBBBB-CCCCC-DDDDD',
    },
  });
}

async function statuses(f: MessagingFixture): Promise<Record<string, string>> {
  const rows = (await f.dataSource.query('SELECT id, status FROM outbox')) as { id: string; status: string }[];
  return Object.fromEntries(rows.map((r) => [r.id, r.status]));
}

describe('transactional outbox', () => {
  let f: MessagingFixture;
  const relays: OutboxRelay[] = [];
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    f = await messagingFixture('outbox');
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await Promise.all(stops.splice(0).map((s) => s()));
  });
  afterAll(async () => {
    await f.close();
  });

  function relay(overrides: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}): OutboxRelay {
    const r = new OutboxRelay({ dataSource: f.dataSource, settings: f.settings, logger: quietLogger, pollIntervalMs: 50, ...overrides });
    relays.push(r);
    return r;
  }

  it('publishes nothing from a transaction that rolled back', async () => {
    const event = deactivation(crypto.randomUUID());
    await expect(
      f.dataSource.transaction(async (manager) => {
        await enqueue(manager, event);
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    const committed = deactivation(crypto.randomUUID());
    await f.dataSource.transaction((manager) => enqueue(manager, committed));

    const probe = await collectMessages(f.settings, `${f.settings.topicPrefix}${Topics.coupons}`);
    stops.push(probe.stop);
    await relay().start();
    await eventually(() => probe.messages.some((m) => m.headers['event-id'] === committed.id), { what: 'the committed event' });
    expect(probe.messages.map((m) => m.headers['event-id'])).not.toContain(event.id);
    expect((await statuses(f))[event.id]).toBeUndefined();
  });

  it('delivers an event committed while Kafka was unreachable once it is back', async () => {
    const keyId = crypto.randomUUID();
    const event = deactivation(keyId);
    await f.dataSource.transaction((manager) => enqueue(manager, event));

    const down = relay({ settings: { ...f.settings, brokers: ['127.0.0.1:1'] }, backoffBaseMs: 20, backoffCapMs: 50 });
    await down.start();
    await eventually(async () => {
      const [row] = (await f.dataSource.query('SELECT attempts, status FROM outbox WHERE id = $1', [event.id])) as {
        attempts: number;
        status: string;
      }[];
      return row && row.attempts >= 2 && row.status === 'PENDING';
    }, { what: 'failed publish attempts while the broker is unreachable', timeoutMs: 30_000 });
    await expect(down.health()).rejects.toThrow(/last publish failed/);
    await down.stop();

    const probe = await collectMessages(f.settings, `${f.settings.topicPrefix}${Topics.coupons}`);
    stops.push(probe.stop);
    await relay().start();
    const received = await eventually(() => probe.messages.find((m) => m.headers['event-id'] === event.id), {
      what: 'the event after Kafka came back',
      timeoutMs: 20_000,
    });
    expect(received.key).toBe(keyId);
    expect(received.headers['event-type']).toBe('coupon.deactivated');
    expect(JSON.parse(received.value)).toMatchObject({ id: event.id, type: 'coupon.deactivated', subject: keyId });
    expect((await statuses(f))[event.id]).toBe('SENT');
  });

  it('publishes each event exactly once with two relays on one database, in order per key', async () => {
    const keyId = crypto.randomUUID();
    const events = Array.from({ length: 60 }, () => deactivation(keyId));
    const probe = await collectMessages(f.settings, `${f.settings.topicPrefix}${Topics.coupons}`);
    stops.push(probe.stop);
    await Promise.all([relay({ batchSize: 7 }).start(), relay({ batchSize: 7 }).start()]);
    for (let i = 0; i < events.length; i += 6) {
      await f.dataSource.transaction((manager) => Promise.all(events.slice(i, i + 6).map((e) => enqueue(manager, e))));
    }
    const ids = new Set(events.map((e) => e.id));
    await eventually(() => probe.messages.filter((m) => ids.has(m.headers['event-id']!)).length >= events.length, {
      what: 'all 60 events',
      timeoutMs: 20_000,
    });
    await new Promise((r) => setTimeout(r, 500)); // let any duplicate arrive
    const received = probe.messages.filter((m) => ids.has(m.headers['event-id']!)).map((m) => m.headers['event-id']);
    expect(received).toHaveLength(events.length);
    expect(new Set(received).size).toBe(events.length);
    expect(received).toEqual(events.map((e) => e.id));
  });

  it('parks a poison row as DEAD after its attempts while later rows still go out', async () => {
    const poison = deactivation(crypto.randomUUID());
    const good = deactivation(crypto.randomUUID());
    await f.dataSource.transaction(async (manager) => {
      await enqueue(manager, poison, 'invalid topic name!');
      await enqueue(manager, good);
    });
    const probe = await collectMessages(f.settings, `${f.settings.topicPrefix}${Topics.coupons}`);
    stops.push(probe.stop);
    await relay({ maxAttempts: 3, backoffBaseMs: 10, backoffCapMs: 20 }).start();
    await eventually(() => probe.messages.some((m) => m.headers['event-id'] === good.id), { what: 'the good event', timeoutMs: 20_000 });
    await eventually(async () => (await statuses(f))[poison.id] === 'DEAD', { what: 'the poison row parked', timeoutMs: 20_000 });
    const [row] = (await f.dataSource.query('SELECT attempts, last_error FROM outbox WHERE id = $1', [poison.id])) as {
      attempts: number;
      last_error: string;
    }[];
    expect(row!.attempts).toBe(3);
    expect(row!.last_error).toBeTruthy();
  });
});
