// Notifications: webhook fan-out. A vendor with 5 endpoints, each at a receiver of its own in
// this process; 10,000 session.started events (BENCH_WEBHOOK_EVENTS) are published onto the
// run's Kafka topics, and the clock runs from the first publish until every receiver has every
// event (fan-out consumer → deliveries → worker → signed POST). Target: ≥ 50% of the ceiling,
// a bare fetch loop POSTing as many bodies of the same size to the same receivers with the
// same concurrency (the service's per-endpoint bound, WEBHOOK_ENDPOINT_CONCURRENCY = 4, per
// receiver), measured in the same run. Lost and doubled deliveries are counted by webhook-id.
const { Client } = require('pg');
const { round } = require('../lib/stats');
const {
  bareFetchLoop,
  createEndpoint,
  createVendor,
  eventPublisher,
  startReceivers,
  startWebhookPlatform,
  until,
} = require('./webhook-bed');

const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS || 10_000);
const RECEIVERS = 5;
const PER_ENDPOINT = 4; // the service's WEBHOOK_ENDPOINT_CONCURRENCY default

async function run({ root }) {
  const receivers = await startReceivers(RECEIVERS);
  const platform = await startWebhookPlatform(root);
  const db = new Client({ connectionString: platform.databaseUrl('notifications') });
  const publisher = await eventPublisher(root, platform.topicPrefix);
  try {
    await db.connect();
    const vendor = await createVendor(platform, 'BWHF', 'Bench webhooks');
    for (const rx of receivers) await createEndpoint(platform, vendor, rx.url);
    const events = Array.from({ length: EVENTS }, () => publisher.sessionStarted(vendor.id));
    const body = JSON.stringify(events[0]);

    // Warm-up of both paths (a few events through the service, a few bare POSTs).
    const warm = Array.from({ length: 20 }, () => publisher.sessionStarted(vendor.id));
    await publisher.publish(warm);
    await until(() => receivers.every((rx) => warm.every((e) => rx.seen.has(e.id))), 'warm-up deliveries', 120_000);
    await bareFetchLoop(receivers, 200, PER_ENDPOINT, body);

    // Ceiling: a bare fetch loop, as many POSTs as the service will make.
    receivers.forEach((rx) => rx.reset());
    const bare = await bareFetchLoop(receivers, EVENTS, PER_ENDPOINT, body);
    receivers.forEach((rx) => rx.reset());

    // The service: publish, then wait until every receiver has every event.
    const started = performance.now();
    let fannedOutAt;
    const watchFanOut = (async () => {
      while (!fannedOutAt) {
        const { n } = (
          await db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE vendor_id = $1`, [vendor.id])
        ).rows[0];
        if (n >= (EVENTS + warm.length) * RECEIVERS) fannedOutAt = performance.now();
        // Every 500 ms: the count scans the vendor's deliveries, and this probe shares the database.
        else await new Promise((r) => setTimeout(r, 500));
      }
    })();
    await publisher.publish(events);
    const publishedAt = performance.now();
    const wanted = EVENTS * RECEIVERS;
    const received = () => receivers.reduce((sum, rx) => sum + events.filter((e) => rx.seen.has(e.id)).length, 0);
    await until(
      () => receivers.every((rx) => rx.seen.size >= EVENTS) && received() === wanted,
      `${wanted} deliveries`,
      600_000,
      50,
    );
    const seconds = (performance.now() - started) / 1000;
    await watchFanOut;
    const rate = wanted / seconds;
    // Late copies would show up here: a short settle before counting doubles.
    await new Promise((r) => setTimeout(r, 1_000));
    const doubled = receivers.reduce((sum, rx) => sum + rx.doubled(), 0);

    return {
      name: `notifications: webhook fan-out, ${EVENTS.toLocaleString('en-US')} events to ${RECEIVERS} receivers`,
      metrics: {
        deliveries: wanted,
        seconds: round(seconds, 2),
        deliveriesPerSecond: Math.round(rate),
        shareOfBareFetch: round(rate / bare.requestsPerSecond, 3),
        targetShareOfBareFetch: 0.5,
        publishSeconds: round((publishedAt - started) / 1000, 2),
        fannedOutSeconds: round((fannedOutAt - started) / 1000, 2),
        lost: wanted - received(),
        doubled,
      },
      ceiling: {
        bareFetchSeconds: round(bare.seconds, 2),
        bareFetchPerSecond: Math.round(bare.requestsPerSecond),
        concurrency: `${PER_ENDPOINT} per receiver`,
      },
    };
  } finally {
    await publisher.stop().catch(() => undefined);
    await db.end().catch(() => undefined);
    await platform.stop();
    await Promise.all(receivers.map((rx) => rx.stop()));
  }
}

module.exports = { name: 'notifications: webhook fan-out vs a bare fetch loop', timeoutSeconds: 900, run };
