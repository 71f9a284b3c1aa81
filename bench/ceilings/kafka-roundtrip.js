// Ceiling for event latency: produce (acks=all) → consume round trip, one message at a time.
const { randomBytes } = require('node:crypto');
const { Kafka, Partitioners, logLevel } = require('kafkajs');

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

module.exports = {
  name: 'ceiling: Kafka produce → consume round trip (1,000 messages)',
  async run({ messages = 1000 } = {}) {
    const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
    const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.ERROR });
    const topic = `bench.roundtrip.${randomBytes(4).toString('hex')}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    const consumer = kafka.consumer({ groupId: `${topic}.g`, maxWaitTimeInMs: 10 });
    const waiting = new Map();
    try {
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topic, fromBeginning: true });
      let joined;
      const ready = new Promise((r) => (joined = r));
      consumer.on(consumer.events.GROUP_JOIN, () => joined());
      await consumer.run({
        eachMessage: async ({ message }) => waiting.get(message.key.toString())?.(),
      });
      await ready;
      const samples = [];
      const deadline = Date.now() + 60_000;
      for (let i = 0; i < messages && Date.now() < deadline; i++) {
        const key = String(i);
        const started = process.hrtime.bigint();
        const received = new Promise((r) => waiting.set(key, r));
        await producer.send({ topic, acks: -1, messages: [{ key, value: 'x' }] });
        await received;
        samples.push(Number(process.hrtime.bigint() - started) / 1e6);
        waiting.delete(key);
      }
      samples.sort((a, b) => a - b);
      return {
        metrics: {
          messages: samples.length,
          p50Ms: Number(percentile(samples, 50).toFixed(2)),
          p99Ms: Number(percentile(samples, 99).toFixed(2)),
        },
      };
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  },
};
