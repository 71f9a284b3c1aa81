// Helpers of the notifications webhook benchmarks (never run directly): the platform with
// the keys and notifications services (loopback webhooks allowed), HTTP receivers in this
// process that count what they get by webhook-id, a bare fetch loop as the ceiling, and a
// Kafka producer that publishes catalogue events straight onto the run's topics.
const { randomUUID } = require('node:crypto');
const { createServer } = require('node:http');
const path = require('node:path');
const { Kafka, Partitioners, logLevel } = require('kafkajs');
const { startPlatform } = require('../lib/platform');

/** Starts keys + notifications + gateway; `env` is for the notifications service. */
async function startWebhookPlatform(root, env = {}) {
  return startPlatform(
    root,
    ['keys', 'notifications'],
    {
      // BENCH_CPU_PROF=<dir>: each service writes a V8 CPU profile there when it stops.
      ...(process.env.BENCH_CPU_PROF ? { NODE_ARGS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF}` } : {}),
    },
    { APP_RATE_LIMIT_PER_MINUTE: '1000000000' },
    {
      // The receivers are on this machine: the development setting that allows loopback
      // (refused in production, so this service runs as development).
      notifications: { NODE_ENV: 'development', WEBHOOK_ALLOW_LOOPBACK: 'true', MAIL_POLL_MS: '0', ...env },
    },
  );
}

/** A vendor made through the gateway: { id, apiKey }. */
async function createVendor(platform, prefix, name) {
  const { createVendor } = await platform.gql(
    platform.operatorToken,
    `mutation($input: CreateVendorInput!) { createVendor(input: $input) { apiKey vendor { id } } }`,
    { input: { prefix, name } },
  );
  return { id: createVendor.vendor.id, apiKey: createVendor.apiKey };
}

async function createEndpoint(platform, vendor, url, eventTypes = []) {
  const { createWebhookEndpoint } = await platform.gql(
    vendor.apiKey,
    `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { id } }`,
    { input: { url, eventTypes } },
  );
  return createWebhookEndpoint.id;
}

/**
 * An HTTP receiver on loopback answering 204 to every POST. It counts receipts by webhook-id
 * (`seen`: id → count), and calls `onBody(body, receivedAt)` when set. stop() refuses
 * connections from then on (the port stays this receiver's: start() listens on it again).
 */
class Receiver {
  constructor() {
    this.seen = new Map();
    this.total = 0;
    this.onBody = undefined;
    this.port = 0;
    this.server = createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const at = performance.now();
        const id = req.headers['webhook-id'];
        this.total++;
        this.seen.set(id, (this.seen.get(id) || 0) + 1);
        if (this.onBody) this.onBody(Buffer.concat(chunks).toString('utf8'), at);
        res.writeHead(204).end();
      });
    });
    this.server.keepAliveTimeout = 30_000;
  }

  get url() {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  start() {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.port = this.server.address().port;
        resolve(this);
      });
    });
  }

  /** Closes the listening socket and every open connection. */
  stop() {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  reset() {
    this.seen.clear();
    this.total = 0;
  }

  /** Ids received more than once. */
  doubled() {
    let n = 0;
    for (const count of this.seen.values()) if (count > 1) n++;
    return n;
  }
}

async function startReceivers(count) {
  return Promise.all(Array.from({ length: count }, () => new Receiver().start()));
}

/**
 * The ceiling: POSTs `perReceiver` bodies to each receiver with `concurrency` requests in
 * flight per receiver (the service's per-endpoint bound), by a plain fetch loop. Returns
 * { seconds, requestsPerSecond }.
 */
async function bareFetchLoop(receivers, perReceiver, concurrency, body) {
  const started = performance.now();
  await Promise.all(
    receivers.map(async (rx) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < perReceiver) {
            next++;
            const res = await fetch(rx.url, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                'webhook-id': randomUUID(),
                'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
                'webhook-signature': 'v1,bare',
              },
              body,
            });
            await res.arrayBuffer();
            if (res.status !== 204) throw new Error(`receiver answered ${res.status}`);
          }
        }),
      );
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { seconds, requestsPerSecond: (receivers.length * perReceiver) / seconds };
}

/** A kafkajs producer of envelopes built with the catalogue (from dist/) onto the run's topics. */
async function eventPublisher(root, topicPrefix) {
  require(path.join(root, 'scripts/runtime-paths.js')); // @licensing/* from dist
  require('reflect-metadata'); // the catalogue's classes carry decorators
  const events = require(path.join(root, 'dist/libs/events/src/index.js'));
  const kafka = new Kafka({ clientId: 'bench-notifications', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  /** A session.started event of the vendor (its webhook body is about 500 bytes). */
  const sessionStarted = (vendorId) => {
    const keyId = randomUUID();
    return events.createEvent(events.SessionStarted, {
      vendorId,
      subject: keyId,
      data: {
        sessionId: randomUUID(),
        keyId,
        keyCode: 'BNCH-A1B2C-D3E4F-G5H6J-K7L8M',
        productCode: 'PBX',
        hostFingerprint: 'c3a0f1e2d4b5a6978812',
      },
    });
  };
  /** Publishes envelopes in batches of 500 (acks from all replicas). */
  const publish = async (envelopes) => {
    for (let i = 0; i < envelopes.length; i += 500) {
      const batch = envelopes.slice(i, i + 500);
      const byTopic = new Map();
      for (const e of batch) {
        const topic = `${topicPrefix}${events.findEventDefinition(e.type).topic}`;
        if (!byTopic.has(topic)) byTopic.set(topic, []);
        byTopic.get(topic).push({
          key: e.subject,
          value: JSON.stringify(e),
          headers: { 'event-type': e.type, 'event-id': e.id },
        });
      }
      await producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    }
  };
  return { sessionStarted, publish, stop: () => producer.disconnect() };
}

async function until(probe, what, timeoutMs, everyMs = 20) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

module.exports = {
  startWebhookPlatform,
  createVendor,
  createEndpoint,
  Receiver,
  startReceivers,
  bareFetchLoop,
  eventPublisher,
  until,
};
