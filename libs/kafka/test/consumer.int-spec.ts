import { Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { CouponActivated, CouponDeactivated, createEvent, Topics } from '@licensing/events';
import { eventually } from '@licensing/testing';
import { EventConsumer, EventConsumerOptions } from '../src';
import { capturingLogger, collectMessages, deactivation, messagingFixture, MessagingFixture } from './support';

const CONSUMER = 'consumer-spec';

describe('event consumer', () => {
  let f: MessagingFixture;
  let producer: Producer;
  const consumers: EventConsumer[] = [];
  const stops: (() => Promise<void>)[] = [];
  const logger = capturingLogger();
  /** event id → how many more times the handler fails before it succeeds (Infinity = always). */
  const failures = new Map<string, number>();
  const calls = new Map<string, number>();

  const topic = () => `${f.settings.topicPrefix}${Topics.coupons}`;
  const publish = (value: string, key = 'k') => producer.send({ topic: topic(), acks: -1, messages: [{ key, value }] });
  const count = async (sql: string, params: unknown[]) =>
    ((await f.dataSource.query(sql, params)) as { n: number }[])[0]!.n;
  const effects = (eventId: string) => count('SELECT count(*)::int AS n FROM effects WHERE event_id = $1', [eventId]);
  const deadLetters = (eventId: string) =>
    count('SELECT count(*)::int AS n FROM dead_letters WHERE event_id = $1', [eventId]);

  async function startConsumer(overrides: Partial<EventConsumerOptions> = {}): Promise<EventConsumer> {
    const consumer = new EventConsumer({
      dataSource: f.dataSource,
      settings: f.settings,
      groupId: 'consumer-spec',
      consumerName: CONSUMER,
      topics: [Topics.coupons],
      logger,
      maxAttempts: 3,
      retryBaseMs: 10,
      retryCapMs: 20,
      ...overrides,
    }).on(CouponDeactivated, async (event, manager) => {
      calls.set(event.id, (calls.get(event.id) ?? 0) + 1);
      // The effect is written first, so a later failure shows the rollback.
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

  /** The consumer most tests share, started when the first of them needs it. */
  let shared: EventConsumer | undefined;
  async function sharedConsumer(): Promise<EventConsumer> {
    if (!shared?.status().running) shared = await startConsumer();
    return shared;
  }

  beforeAll(async () => {
    f = await messagingFixture('consumer');
    producer = new Kafka({ clientId: 'consumer-spec', brokers: f.settings.brokers, logLevel: logLevel.ERROR }).producer(
      {
        createPartitioner: Partitioners.DefaultPartitioner,
      },
    );
    await producer.connect();
  });
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await Promise.all(stops.map((s) => s()));
    await producer?.disconnect();
    await f?.close();
  });

  it('has one effect for an event delivered twice, again after a restart, and again from the start', async () => {
    const event = deactivation();
    const first = await startConsumer();
    await expect(first.health()).resolves.toBeUndefined();
    await publish(JSON.stringify(event));
    await publish(JSON.stringify(event));
    const marker = deactivation();
    await publish(JSON.stringify(marker));
    await eventually(async () => (await effects(marker.id)) === 1, { what: 'the marker after the duplicate' });
    expect(await effects(event.id)).toBe(1);
    await first.stop();
    await expect(first.health()).rejects.toThrow(/not running/);

    // The same group after a restart, with the same event published once more.
    await publish(JSON.stringify(event));
    const second = await startConsumer();
    const marker2 = deactivation();
    await publish(JSON.stringify(marker2));
    await eventually(async () => (await effects(marker2.id)) === 1, { what: 'the marker after the restart' });
    await second.stop();

    // A new group under the same consumer name reads the topic from the start: every
    // message is delivered again, at the same offsets.
    const third = await startConsumer({ groupId: 'consumer-spec-replay' });
    const marker3 = deactivation();
    await publish(JSON.stringify(marker3));
    await eventually(async () => (await effects(marker3.id)) === 1, { what: 'the marker after the replay' });
    await third.stop();

    expect(await effects(event.id)).toBe(1);
    expect(await effects(marker.id)).toBe(1);
    expect(await effects(marker2.id)).toBe(1);
    expect(calls.get(event.id)).toBe(1); // redeliveries stop at processed_events
  });

  it('dead-letters invalid messages without logging them, ignores types it has no handler for, and goes on', async () => {
    await sharedConsumer();
    const dlq = await collectMessages(f.settings, `${topic()}.dlq`);
    stops.push(dlq.stop);
    // Personal data that must not reach the logs (JSON.parse's own message would quote it).
    const secret = 'al@x.io';
    const notJson = secret;
    const badPayload = { ...deactivation(), data: { couponCode: 42, email: secret } };
    const keyId = crypto.randomUUID();
    const unhandled = createEvent(CouponActivated, {
      vendorId: '6a1f3c2e-5b4d-4e8f-9a7b-1c2d3e4f5a6b',
      subject: keyId,
      data: {
        activationId: crypto.randomUUID(),
        couponId: crypto.randomUUID(),
        couponCode: 'DEMOUPD-AAAAA-BBBBB-CCCCC-DDDDD',
        couponType: 'ADD_PRODUCT',
        keyId,
        keyCode: 'DEMO-AAAAA-BBBBB-CCCCC-DDDDD',
        channel: 'VENDOR_CABINET',
        grants: [{ productId: crypto.randomUUID(), productCode: 'P1' }],
      },
    });
    const valid = deactivation();
    await publish(notJson);
    await publish(JSON.stringify(badPayload));
    await publish(JSON.stringify(unhandled));
    await publish(JSON.stringify(valid));

    await eventually(async () => (await effects(valid.id)) === 1, { what: 'the valid event after the invalid ones' });
    const letters = (await f.dataSource.query(
      `SELECT topic, event_id, reason, payload FROM dead_letters WHERE consumer = $1 ORDER BY id`,
      [CONSUMER],
    )) as { topic: string; event_id: string | null; reason: string; payload: string }[];
    expect(letters).toEqual([
      { topic: Topics.coupons, event_id: null, reason: expect.stringMatching(/not valid JSON/), payload: notJson },
      {
        topic: Topics.coupons,
        event_id: badPayload.id,
        reason: expect.stringMatching(/data\.couponCode/),
        payload: JSON.stringify(badPayload),
      },
    ]);
    expect(await deadLetters(unhandled.id)).toBe(0);
    await eventually(() => dlq.messages.length >= 2, { what: 'the copies on the dead-letter topic' });
    expect(dlq.messages.map((m) => m.value)).toEqual([notJson, JSON.stringify(badPayload)]);
    expect(dlq.messages[1]!.headers).toMatchObject({ 'event-id': badPayload.id, 'dead-letter-consumer': CONSUMER });
    expect(logger.lines.filter((l) => l.includes('dead-lettered'))).toHaveLength(2);
    expect(logger.lines.filter((l) => l.includes(secret))).toEqual([]);
  });

  it('retries a handler that always fails, rolls back its writes each time, then dead-letters it and goes on', async () => {
    await sharedConsumer();
    const doomed = deactivation();
    const next = deactivation();
    failures.set(doomed.id, Infinity);
    await publish(JSON.stringify(doomed));
    await publish(JSON.stringify(next));
    await eventually(async () => (await deadLetters(doomed.id)) === 1, { what: 'the dead letter' });
    await eventually(async () => (await effects(next.id)) === 1, { what: 'the next event' });
    expect(calls.get(doomed.id)).toBe(3);
    expect(await effects(doomed.id)).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM processed_events WHERE event_id = $1', [doomed.id])).toBe(0);
    const [letter] = (await f.dataSource.query('SELECT reason, event_type FROM dead_letters WHERE event_id = $1', [
      doomed.id,
    ])) as {
      reason: string;
      event_type: string;
    }[];
    expect(letter).toEqual({
      reason: expect.stringMatching(/handler failed 3 times: .*handler failure for the test/),
      event_type: 'coupon.deactivated',
    });
  });

  it('has one effect when the handler fails once and then succeeds', async () => {
    await sharedConsumer();
    const flaky = deactivation();
    failures.set(flaky.id, 1);
    await publish(JSON.stringify(flaky));
    await eventually(async () => (await effects(flaky.id)) === 1, { what: 'the effect after one failure' });
    expect(calls.get(flaky.id)).toBe(2);
    expect(await deadLetters(flaky.id)).toBe(0);
    expect(
      await count('SELECT count(*)::int AS n FROM processed_events WHERE consumer = $1 AND event_id = $2', [
        CONSUMER,
        flaky.id,
      ]),
    ).toBe(1);
  });

  it('stops gracefully in the middle of retries, without committing or dead-lettering, and gets the message again', async () => {
    await (await sharedConsumer()).stop();
    const stuck = deactivation();
    failures.set(stuck.id, Infinity);
    const consumer = await startConsumer({ maxAttempts: 1_000, retryBaseMs: 100, retryCapMs: 100 });
    await publish(JSON.stringify(stuck));
    await eventually(() => (calls.get(stuck.id) ?? 0) >= 2, { what: 'a few failing attempts' });
    const stopping = Date.now();
    await consumer.stop();
    expect(Date.now() - stopping).toBeLessThan(5_000);
    const attemptsBeforeStop = calls.get(stuck.id)!;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(calls.get(stuck.id)).toBe(attemptsBeforeStop); // nothing runs after stop()
    expect(await deadLetters(stuck.id)).toBe(0);
    expect(await effects(stuck.id)).toBe(0);

    // The handler is fixed; the restarted consumer gets the uncommitted message again.
    failures.set(stuck.id, 0);
    await startConsumer();
    await eventually(async () => (await effects(stuck.id)) === 1, { what: 'the redelivered message' });
    expect(await deadLetters(stuck.id)).toBe(0);
  });
});
