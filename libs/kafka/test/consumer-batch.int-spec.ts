import { Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { CouponDeactivated, Topics } from '@licensing/events';
import { eventually } from '@licensing/testing';
import { EventConsumer } from '../src';
import { capturingLogger, deactivation, messagingFixture, MessagingFixture } from './support';

const CONSUMER = 'consumer-batch-spec';
/** Events of this vendor are refused by the handler's `when`. */
const SKIPPED_VENDOR = '0b6c1f7e-2a3d-4e5f-8a9b-0c1d2e3f4a5b';

/**
 * Batch mode (batchSize > 1): a burst of one partition is handled in few transactions, each
 * event still has exactly one effect, order is kept, and one failing event neither blocks nor
 * undoes its neighbours.
 */
describe('event consumer in batch mode', () => {
  let f: MessagingFixture;
  let producer: Producer;
  let consumer: EventConsumer;
  const logger = capturingLogger();
  /** Event ids whose handler always throws. */
  const doomed = new Set<string>();
  const calls = new Map<string, number>();

  const topic = () => `${f.settings.topicPrefix}${Topics.coupons}`;
  const publish = (values: string[]) =>
    producer.send({ topic: topic(), acks: -1, messages: values.map((value) => ({ key: 'k', value })) });
  /** The effects in the order they were written, with the transaction that wrote each. */
  const effects = async () =>
    (await f.dataSource.query('SELECT event_id, note AS txid FROM effects ORDER BY id')) as {
      event_id: string;
      txid: string;
    }[];

  beforeAll(async () => {
    f = await messagingFixture('consumer-batch');
    producer = new Kafka({ clientId: CONSUMER, brokers: f.settings.brokers, logLevel: logLevel.ERROR }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    consumer = new EventConsumer({
      dataSource: f.dataSource,
      settings: f.settings,
      groupId: CONSUMER,
      consumerName: CONSUMER,
      logger,
      maxAttempts: 2,
      retryBaseMs: 10,
      retryCapMs: 20,
      batchSize: 50,
    }).on(
      CouponDeactivated,
      async (event, manager) => {
        calls.set(event.id, (calls.get(event.id) ?? 0) + 1);
        // Written before a possible failure, so a rollback shows.
        await manager.query('INSERT INTO effects (event_id, note) VALUES ($1, txid_current()::text)', [event.id]);
        if (doomed.has(event.id)) throw new Error('handler failure for the test');
      },
      { when: (event) => event.vendorId !== SKIPPED_VENDOR },
    );
    await consumer.start();
    await consumer.waitUntilJoined();
  });
  afterAll(async () => {
    await consumer?.stop();
    await producer?.disconnect();
    await f?.close();
  });

  it('handles a burst in few transactions, once per event and in order, duplicates included', async () => {
    const events = Array.from({ length: 300 }, () => deactivation());
    // The 10th event published again right after itself, and once more at the end.
    const values = events.map((e) => JSON.stringify(e));
    values.splice(10, 0, values[9]!);
    values.push(values[9]!);
    await publish(values);
    await eventually(async () => (await effects()).length >= events.length, { what: 'the burst handled' });
    await new Promise((r) => setTimeout(r, 300));
    const written = await effects();
    expect(written.map((w) => w.event_id)).toEqual(events.map((e) => e.id));
    expect(calls.get(events[9]!.id)).toBe(1);
    // At most 50 per transaction, and far fewer transactions than events.
    const perTx = new Map<string, number>();
    for (const w of written) perTx.set(w.txid, (perTx.get(w.txid) ?? 0) + 1);
    expect(Math.max(...perTx.values())).toBeLessThanOrEqual(50);
    expect(perTx.size).toBeLessThan(events.length / 5);
  });

  it('dead-letters a failing event of a batch alone: its neighbours have their effect once, in order', async () => {
    await f.dataSource.query('TRUNCATE effects');
    const events = Array.from({ length: 40 }, () => deactivation());
    const bad = events[17]!;
    doomed.add(bad.id);
    await publish(events.map((e) => JSON.stringify(e)));
    await eventually(
      async () =>
        (
          (await f.dataSource.query('SELECT count(*)::int AS n FROM dead_letters WHERE event_id = $1', [bad.id])) as {
            n: number;
          }[]
        )[0]!.n === 1,
      { what: 'the dead letter' },
    );
    await eventually(async () => (await effects()).length >= events.length - 1, { what: 'the neighbours handled' });
    const written = await effects();
    expect(written.map((w) => w.event_id)).toEqual(events.filter((e) => e !== bad).map((e) => e.id));
    // Once in the batch, then its own attempts (maxAttempts 2); its writes rolled back each time.
    expect(calls.get(bad.id)).toBe(3);
    const processed = (await f.dataSource.query(
      'SELECT count(*)::int AS n FROM processed_events WHERE consumer = $1 AND event_id = ANY($2::uuid[])',
      [CONSUMER, events.map((e) => e.id)],
    )) as { n: number }[];
    expect(processed[0]!.n).toBe(events.length - 1);
    expect(logger.lines.some((l) => l.startsWith('warn ') && l.includes('failed together'))).toBe(true);
  });

  it('hands runs of consecutive events to an onEvery handler at once, in order, each once', async () => {
    const runs: string[][] = [];
    const every = new EventConsumer({
      dataSource: f.dataSource,
      settings: f.settings,
      groupId: `${CONSUMER}-every`,
      consumerName: `${CONSUMER}-every`,
      logger,
      batchSize: 50,
    }).onEvery([CouponDeactivated], async (events, manager) => {
      runs.push(events.map((e) => e.id));
      await manager.query('SELECT 1');
    });
    try {
      await every.start();
      await every.waitUntilJoined();
      const events = Array.from({ length: 120 }, () => deactivation());
      await publish(events.map((e) => JSON.stringify(e)));
      // The group reads the topic from its start: the earlier tests' events come first.
      const ours = new Set(events.map((e) => e.id));
      const handled = () => runs.flat().filter((id) => ours.has(id));
      await eventually(() => handled().length >= events.length, { what: 'the runs' });
      await new Promise((r) => setTimeout(r, 300));
      expect(handled()).toEqual(events.map((e) => e.id));
      expect(Math.max(...runs.map((r) => r.length))).toBeGreaterThan(1);
      expect(Math.max(...runs.map((r) => r.length))).toBeLessThanOrEqual(50);
    } finally {
      await every.stop();
    }
  });

  it('skips events its handler’s `when` refuses: no handler call, no processed_events record', async () => {
    await f.dataSource.query('TRUNCATE effects');
    const skipped = deactivation(undefined, SKIPPED_VENDOR);
    const handled = deactivation();
    await publish([JSON.stringify(skipped), JSON.stringify(handled)]);
    await eventually(async () => (await effects()).length === 1, { what: 'the handled event' });
    expect((await effects()).map((w) => w.event_id)).toEqual([handled.id]);
    expect(calls.has(skipped.id)).toBe(false);
    const processed = (await f.dataSource.query('SELECT event_id FROM processed_events WHERE event_id = $1', [
      skipped.id,
    ])) as unknown[];
    expect(processed).toEqual([]);
  });
});
