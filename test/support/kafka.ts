import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, logLevel, Producer } from 'kafkajs';
import { EventEnvelope } from '@licensing/events';
import { testInfrastructure } from '@licensing/testing';

/** Reads every event of one topic of a test stack from the beginning, as a partner would. */
export interface EventProbe {
  events: EventEnvelope<any>[];
  stop(): Promise<void>;
}

async function client(): Promise<Kafka> {
  const { kafkaBrokers } = await testInfrastructure();
  return new Kafka({ clientId: `probe-${randomUUID()}`, brokers: kafkaBrokers, logLevel: logLevel.NOTHING });
}

export async function probeTopic(topic: string): Promise<EventProbe> {
  const consumer: Consumer = (await client()).consumer({ groupId: `probe-${randomUUID()}` });
  const events: EventEnvelope<any>[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.value) events.push(JSON.parse(message.value.toString()) as EventEnvelope<any>);
    },
  });
  return { events, stop: () => consumer.disconnect() };
}

/** Publishes events as another service's relay would: JSON, keyed by subject, acks=all. */
export async function publisher(): Promise<{
  publish(topic: string, events: EventEnvelope<unknown>[]): Promise<void>;
  close(): Promise<void>;
}> {
  const producer: Producer = (await client()).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  return {
    publish: async (topic, events) => {
      await producer.send({
        topic,
        acks: -1,
        messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })),
      });
    },
    close: () => producer.disconnect(),
  };
}
