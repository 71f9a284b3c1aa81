import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { EventEnvelope, Topics } from '@licensing/events';
import { ensureTopics } from '@licensing/kafka';
import { eventually, testInfrastructure, uniqueTopicPrefix } from '@licensing/testing';
import { ReadModelHandler } from '../src/read-model/read-model.handler';
import { sessionEventId } from '../src/sessions/session-events.relay';
import { SessionsModule } from '../src/sessions/sessions.module';
import { SessionsService } from '../src/sessions/sessions.service';
import { SessionsTestbed, TestVendor } from './sessions-testbed';

/**
 * Session events leave through the Redis stream: two instances run the relay and the
 * sweeper side by side, and every start and end reaches Kafka exactly once, in order per
 * key, under an id derived from the session.
 */
describe('session events on licensing.sessions.v1', () => {
  const topicPrefix = uniqueTopicPrefix('sessions-events');
  let testbed: SessionsTestbed;
  let acme: TestVendor;
  let consumer: Consumer;
  const received: EventEnvelope<Record<string, string>>[] = [];

  beforeAll(async () => {
    const { kafkaBrokers } = await testInfrastructure();
    await ensureTopics({ brokers: kafkaBrokers, clientId: 'sessions-events-test', topicPrefix }, [Topics.sessions]);
    consumer = new Kafka({
      clientId: `probe-${randomUUID()}`,
      brokers: kafkaBrokers,
      logLevel: logLevel.NOTHING,
    }).consumer({ groupId: `probe-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${topicPrefix}${Topics.sessions}`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value) received.push(JSON.parse(message.value.toString()));
      },
    });
    testbed = await SessionsTestbed.start('sessions_events', [SessionsModule], [ReadModelHandler], {
      instances: 2,
      config: {
        KAFKA_TOPIC_PREFIX: topicPrefix,
        EVENT_STREAM_POLL_MS: '20',
        SWEEP_INTERVAL_MS: '100',
        HEARTBEAT_INTERVAL_SECONDS: '1',
        HEARTBEAT_GRACE_INTERVALS: '2',
      },
    });
    acme = await testbed.vendor('EVNT', { DESK: 'CONCURRENT_SESSIONS' });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await testbed?.close();
  });

  it('publishes every start and end once, released and expired alike, with two relays and two sweepers', async () => {
    const key = await testbed.key(acme);
    await testbed.grant(acme, key, 'DESK', { seats: 20 });
    const leases = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        testbed.instances[i % 2]!.get(SessionsService).acquire({
          keyCode: key.code,
          productCode: 'DESK',
          host: { fingerprint: `pc-${i}` },
        }),
      ),
    );
    const released = leases.slice(0, 10);
    await Promise.all(released.map((l, i) => testbed.instances[i % 2]!.get(SessionsService).release(l.sessionId)));
    // The other ten miss their heartbeats; the sweepers of both instances end them.
    const ofKey = () => received.filter((e) => e.subject === key.keyId);
    await eventually(() => ofKey().length >= 40, { timeoutMs: 15_000, what: '40 session events' });
    await new Promise((r) => setTimeout(r, 500)); // time for a duplicate to show up
    const events = ofKey();
    expect(events).toHaveLength(40);
    expect(new Set(events.map((e) => e.id)).size).toBe(40);
    for (const lease of leases) {
      const mine = events.filter((e) => e.data['sessionId'] === lease.sessionId);
      const reason = released.includes(lease) ? 'RELEASED' : 'EXPIRED';
      expect(mine.map((e) => [e.type, e.id, e.data['reason']])).toEqual([
        ['session.started', sessionEventId('session.started', lease.sessionId), undefined],
        ['session.ended', sessionEventId('session.ended', lease.sessionId), reason],
      ]);
    }
    expect(events[0]).toMatchObject({
      source: 'sessions',
      vendorId: acme.id,
      subject: key.keyId,
      dataVersion: 1,
      data: { keyId: key.keyId, keyCode: key.code, productCode: 'DESK' },
    });
    // Published entries leave the stream.
    await eventually(async () => (await testbed.streamEvents()).length === 0, { what: 'an empty stream' });
  });
});
