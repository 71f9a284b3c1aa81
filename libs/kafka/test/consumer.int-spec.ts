import { Kafka, Partitioners, Producer } from 'kafkajs';
import { CouponDeactivated, createEvent, EventEnvelope, Topics } from '@licensing/events';
import { eventually } from '@licensing/testing';
import { EventConsumer } from '../src';
import { messagingFixture, MessagingFixture, quietLogger } from './support';

const vendorId = '7b2e4d3f-6c5e-4f90-8b8c-2d3e4f5a6b7c';

function deactivation(): EventEnvelope<object> {
  const keyId = crypto.randomUUID();
  return createEvent(CouponDeactivated, {
    vendorId,
    subject: keyId,
    data: {
      activationId: crypto.randomUUID(),
      couponId: crypto.randomUUID(),
      couponCode: 'DEMOUPD-AAAAA-BBBBB-CCCCC-DDDDD',
      couponType: 'UPGRADE',
      keyId,
      keyCode: 'DEMO-AAAAA-BBBBB-CCCCC-DDDDD',
    },
  });
}

describe('event consumer', () => {
  let f: MessagingFixture;
  let producer: Producer;
  const consumers: EventConsumer[] = [];
  /** event id → how many times the handler should fail before succeeding (Infinity = always). */
  const failures = new Map<string, number>();
  const calls = new Map<string, number>();

  const topic = () => `${f.settings.topicPrefix}${Topics.coupons}`;
  const publish = (value: string, key = 'k') => producer.send({ topic: topic(), acks: -1, messages: [{ key, value }] });
  const effects = async (eventId: string) =>
    ((await f.dataSource.query('SELECT count(*)::int AS n FROM effects WHERE event_id = $1', [eventId])) as { n: number }[])[0]!.n;

  async function startConsumer(): Promise<EventConsumer> {
    const consumer = new EventConsumer({
      dataSource: f.dataSource,
      settings: f.settings,
      groupId: 'consumer-spec',
      consumerName: 'consumer-spec',
      topics: [Topics.coupons],
      logger: quietLogger,
      maxAttempts: 3,
      retryBaseMs: 10,
      retryCapMs: 20,
    }).on(CouponDeactivated, async (event, manager) => {
      calls.set(event.id, (calls.get(event.id) ?? 0) + 1);
      // The effect is written first, so a later failure proves the rollback.
      await manager.query('INSERT INTO effects (event_id, note) VALUES ($1, $2)', [event.id, event.data.couponType]);
      const left = failures.get(event.id) ?? 0;
      if (left > 0) {
        failures.set(event.id, left - 1);
        throw new Error('handler failure for the test');
      }
    });
    consumers.push(consumer);
    await consumer.start();
    await consumer.waitUntilJoined();
    return consumer;
  }

  beforeAll(async () => {
    f = await messagingFixture('consumer');
    producer = new Kafka({ clientId: 'consumer-spec', brokers: f.settings.brokers, logLevel: 1 }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
  });
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await producer.disconnect();
    await f.close();
  });

  it('has exactly one effect for an event delivered twice and again after a restart', async () => {
    const event = deactivation();
    const consumer = await startConsumer();
    await publish(JSON.stringify(event));
    await publish(JSON.stringify(event));
    await eventually(async () => (await effects(event.id)) === 1, { what: 'the first effect' });
    await consumer.stop();
    // A restart with the same group, and the same event published once more.
    await publish(JSON.stringify(event));
    await startConsumer();
    const marker = deactivation();
    await publish(JSON.stringify(marker));
    await eventually(async () => (await effects(marker.id)) === 1, { what: 'a later event after the restart' });
    expect(await effects(event.id)).toBe(1);
  });

  it('dead-letters an invalid message and goes on with the next valid one', async () => {
    const valid = deactivation();
    const invalid = { ...deactivation(), data: { couponCode: 42 } };
    await publish('{not json');
    await publish(JSON.stringify(invalid));
    await publish(JSON.stringify(valid));
    await eventually(async () => (await effects(valid.id)) === 1, { what: 'the valid event after the invalid ones' });
    const letters = (await f.dataSource.query(
      `SELECT reason, event_id FROM dead_letters WHERE consumer = 'consumer-spec' ORDER BY id`,
    )) as { reason: string; event_id: string | null }[];
    expect(letters.map((l) => l.reason)).toEqual([
      expect.stringMatching(/unreadable message/),
      expect.stringMatching(/data\.couponCode|data\.activationId/),
    ]);
  });

  it('retries a failing handler, rolls back its partial writes, then dead-letters it', async () => {
    const doomed = deactivation();
    failures.set(doomed.id, Infinity);
    await publish(JSON.stringify(doomed));
    await eventually(
      async () =>
        ((await f.dataSource.query('SELECT 1 FROM dead_letters WHERE event_id = $1', [doomed.id])) as unknown[]).length === 1,
      { what: 'the dead letter' },
    );
    expect(calls.get(doomed.id)).toBe(3);
    expect(await effects(doomed.id)).toBe(0);
    const processed = (await f.dataSource.query('SELECT 1 FROM processed_events WHERE event_id = $1', [doomed.id])) as unknown[];
    expect(processed).toHaveLength(0);
  });

  it('has one effect when the handler fails once and then succeeds', async () => {
    const flaky = deactivation();
    failures.set(flaky.id, 1);
    await publish(JSON.stringify(flaky));
    await eventually(async () => (await effects(flaky.id)) === 1, { what: 'the effect after one failure' });
    expect(calls.get(flaky.id)).toBe(2);
  });
});
