// Notifications: a webhook backlog after an outage. One endpoint at a receiver in this
// process; the receiver goes down (connections refused) for 60 s (BENCH_WEBHOOK_DOWN_SECONDS)
// while 5,000 session.started events (BENCH_WEBHOOK_BACKLOG) arrive, spread over the outage;
// then it comes back. Reported: seconds from its return until it has every event (target
// ≤ 30 s), how many it had within 30 s, none lost, none doubled (by webhook-id). The service
// runs with its default retry schedule (first retry after 30–60 s, doubling): what brings the
// backlog forward when the receiver is back is the service's own doing. The drain is watched
// for at most BENCH_WEBHOOK_DRAIN_CAP_SECONDS (300). Ceiling: the same receiver taking as many
// POSTs from a bare fetch loop at the service's per-endpoint concurrency (4).
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

const BACKLOG = Number(process.env.BENCH_WEBHOOK_BACKLOG || 5_000);
const DOWN_SECONDS = Number(process.env.BENCH_WEBHOOK_DOWN_SECONDS || 60);
const DRAIN_CAP_SECONDS = Number(process.env.BENCH_WEBHOOK_DRAIN_CAP_SECONDS || 300);
const TARGET_SECONDS = 30;
const PER_ENDPOINT = 4;
const CHUNKS = 20;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function run({ root }) {
  const [rx] = await startReceivers(1);
  const platform = await startWebhookPlatform(root);
  const publisher = await eventPublisher(root, platform.topicPrefix);
  try {
    const vendor = await createVendor(platform, 'BWHB', 'Bench webhook backlog');
    await createEndpoint(platform, vendor, rx.url);
    const warm = publisher.sessionStarted(vendor.id);
    await publisher.publish([warm]);
    await until(() => rx.seen.has(warm.id), 'the warm-up delivery', 120_000);
    const events = Array.from({ length: BACKLOG }, () => publisher.sessionStarted(vendor.id));

    const bare = await bareFetchLoop([rx], BACKLOG, PER_ENDPOINT, JSON.stringify(events[0]));
    rx.reset();

    // The outage: events arrive in CHUNKS spread over the first 90% of it.
    await rx.stop();
    const downAt = performance.now();
    const perChunk = Math.ceil(BACKLOG / CHUNKS);
    for (let i = 0; i < CHUNKS; i++) {
      await publisher.publish(events.slice(i * perChunk, (i + 1) * perChunk));
      const nextAt = downAt + ((i + 1) * DOWN_SECONDS * 900) / CHUNKS;
      await sleep(Math.max(0, nextAt - performance.now()));
    }
    await sleep(Math.max(0, downAt + DOWN_SECONDS * 1000 - performance.now()));
    if (rx.total) throw new Error('the receiver got requests while it was down');
    await rx.start();
    const backAt = performance.now();

    const got = () => events.reduce((n, e) => n + (rx.seen.has(e.id) ? 1 : 0), 0);
    let within30 = 0;
    const at30 = setTimeout(() => (within30 = got()), TARGET_SECONDS * 1000);
    let drainSeconds;
    try {
      await until(() => rx.seen.size >= BACKLOG && got() === BACKLOG, 'drain', DRAIN_CAP_SECONDS * 1000, 50);
      drainSeconds = (performance.now() - backAt) / 1000;
    } catch {
      drainSeconds = `> ${DRAIN_CAP_SECONDS}`;
    }
    if (typeof drainSeconds === 'number' && drainSeconds <= TARGET_SECONDS) {
      clearTimeout(at30);
      within30 = BACKLOG;
    }
    await sleep(1_000); // late copies would show here
    const received = got();

    return {
      name: `notifications: webhook backlog, ${BACKLOG.toLocaleString('en-US')} events during ${DOWN_SECONDS} s down`,
      metrics: {
        drainSecondsAfterReturn: typeof drainSeconds === 'number' ? round(drainSeconds, 2) : drainSeconds,
        targetDrainSeconds: TARGET_SECONDS,
        deliveredWithin30s: within30,
        deliveriesPerSecondAfterReturn: typeof drainSeconds === 'number' ? Math.round(BACKLOG / drainSeconds) : 'n/a',
        lost: BACKLOG - received,
        doubled: rx.doubled(),
      },
      ceiling: {
        bareFetchPerSecond: Math.round(bare.requestsPerSecond),
        bareFetchSecondsForBacklog: round(bare.seconds, 2),
      },
    };
  } finally {
    await publisher.stop().catch(() => undefined);
    await platform.stop();
    await rx.stop().catch(() => undefined);
  }
}

module.exports = { name: 'notifications: webhook backlog after a receiver outage', timeoutSeconds: 900, run };
