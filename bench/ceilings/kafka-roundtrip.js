// Ceiling for event latency: kafkajs producer (acks=-1, i.e. all in-sync replicas) to a
// consumer on a fresh topic, one message at a time: send, wait until it is consumed, repeat.
// 20 warm-up messages are left out of the figures. Bounded: 10 s per message, 120 s in all.
const { randomBytes } = require('node:crypto');
const { Kafka, Partitioners, logLevel } = require('kafkajs');
const { assertLoopback } = require('../lib/loopback');
const { percentile, round, withTimeout } = require('../lib/stats');

const NAME = 'ceiling: Kafka produce (acks=-1) to consume round trip, 1,000 messages';
const WARM_UP = 20;

module.exports = {
  name: NAME,
  async run({ messages = 1000 } = {}) {
    const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
    brokers.forEach((b) => assertLoopback('KAFKA_BROKERS', b));
    const kafka = new Kafka({ clientId: 'bench-roundtrip', brokers, logLevel: logLevel.NOTHING });
    const topic = `bench.roundtrip.${randomBytes(4).toString('hex')}`;
    const groupId = `${topic}.consumer`;
    const admin = kafka.admin();
    const producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    // maxWaitTimeInMs as in libs/kafka's consumer; the broker answers a fetch as soon as data arrives.
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
    const waiting = new Map();
    let connected = false;
    try {
      await withTimeout(admin.connect(), 15_000, 'Kafka admin connect');
      connected = true;
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
      await withTimeout(Promise.all([producer.connect(), consumer.connect()]), 15_000, 'Kafka connect');
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
      await consumer.run({
        eachMessage: async ({ message }) => {
          const key = message.key.toString();
          waiting.get(key)?.();
          waiting.delete(key);
        },
      });
      await withTimeout(joined, 30_000, 'Kafka consumer group join');

      const samples = [];
      const deadline = Date.now() + 120_000;
      for (let i = 0; i < WARM_UP + messages; i++) {
        if (Date.now() > deadline) throw new Error(`stopped at message ${i}: over 120 s`);
        const key = String(i);
        const received = new Promise((resolve) => waiting.set(key, resolve));
        const started = process.hrtime.bigint();
        await producer.send({ topic, acks: -1, messages: [{ key, value: `m${i}` }] });
        await withTimeout(received, 10_000, `message ${i}`);
        if (i >= WARM_UP) samples.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      samples.sort((a, b) => a - b);
      return {
        name: NAME,
        metrics: {
          messages: samples.length,
          p50Ms: round(percentile(samples, 50)),
          p99Ms: round(percentile(samples, 99)),
          maxMs: round(samples[samples.length - 1]),
          meanMs: round(samples.reduce((a, b) => a + b, 0) / samples.length),
        },
      };
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      if (connected) {
        await admin.deleteGroups([groupId]).catch(() => undefined);
        await admin.deleteTopics({ topics: [topic], timeout: 10_000 }).catch(() => undefined);
        await admin.disconnect().catch(() => undefined);
      }
    }
  },
};
