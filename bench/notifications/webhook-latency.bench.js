// Notifications: event committed in keys → webhook received. A vendor's endpoint takes
// key.created at a receiver in this process; 200 keys (BENCH_WEBHOOK_LATENCY) are created one
// after another through the gateway, and for each the time from the createLicenseKey answer
// (the keys service has committed the key and its event) until the receiver has the signed
// POST: outbox → Kafka → fan-out consumer → delivery worker → HTTP. p50 / p99 (target p99
// ≤ 250 ms), next to the Kafka round trip of bench/ceilings/kafka-roundtrip (measured here when the
// ceilings did not run first).
const kafkaRoundTrip = require('../ceilings/kafka-roundtrip');
const { round } = require('../lib/stats');
const { summarize } = require('../lib/platform');
const { createEndpoint, createVendor, startReceivers, startWebhookPlatform, until } = require('./webhook-bed');

const SAMPLES = Number(process.env.BENCH_WEBHOOK_LATENCY || 200);
const CREATE = `mutation($input: CreateLicenseKeyInput!) { createLicenseKey(input: $input) { id } }`;

async function run({ root, ceilings }) {
  const [rx] = await startReceivers(1);
  const platform = await startWebhookPlatform(root);
  try {
    const vendor = await createVendor(platform, 'BWHL', 'Bench webhook latency');
    await createEndpoint(platform, vendor, rx.url, ['key.created']);
    const arrived = new Map(); // keyId → receipt time
    rx.onBody = (body, at) => arrived.set(JSON.parse(body).data.keyId, at);
    const createKey = async (i) => {
      const requested = performance.now();
      const { createLicenseKey } = await platform.gql(vendor.apiKey, CREATE, {
        input: { client: { company: `Latency client ${i}` } },
      });
      const answered = performance.now();
      await until(() => arrived.has(createLicenseKey.id), 'webhook of key.created', 30_000, 1);
      const at = arrived.get(createLicenseKey.id);
      return { fromAnswer: at - answered, fromRequest: at - requested };
    };
    for (let i = 0; i < Math.ceil(SAMPLES / 10); i++) await createKey(`warm-${i}`);
    const fromAnswer = [];
    const fromRequest = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t = await createKey(i);
      fromAnswer.push(t.fromAnswer);
      fromRequest.push(t.fromRequest);
    }
    const kafka = ceilings['kafka-roundtrip'] ?? (await kafkaRoundTrip.run({ messages: 200 })).metrics;
    const answer = summarize(fromAnswer);
    const request = summarize(fromRequest);
    return {
      name: `notifications: key.created committed in keys → webhook received (${SAMPLES} keys)`,
      metrics: {
        p50Ms: answer.p50,
        p95Ms: answer.p95,
        p99Ms: answer.p99,
        maxMs: round(Math.max(...fromAnswer)),
        targetP99Ms: 250,
        requestToWebhookP50Ms: request.p50,
        requestToWebhookP99Ms: request.p99,
      },
      ceiling: {
        kafkaRoundTripP50Ms: kafka.p50Ms,
        kafkaRoundTripP99Ms: kafka.p99Ms,
      },
    };
  } finally {
    await platform.stop();
    await rx.stop();
  }
}

module.exports = { name: 'notifications: keys → webhook latency', timeoutSeconds: 600, run };
