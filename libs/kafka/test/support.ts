import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase, testInfrastructure, uniqueTopicPrefix } from '@licensing/testing';
import { createMessagingMigration } from '../src/messaging.migration';
import { ensureTopics, KafkaSettings } from '../src/settings';
import { ALL_TOPICS } from '@licensing/events';

export const quietLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

export interface MessagingFixture {
  database: TestDatabase;
  dataSource: DataSource;
  settings: KafkaSettings;
  close(): Promise<void>;
}

/** A fresh database with the messaging tables, and a topic prefix of its own. */
export async function messagingFixture(label: string): Promise<MessagingFixture> {
  const infra = await testInfrastructure();
  const database = await createTestDatabase(label);
  const dataSource = await new DataSource({
    type: 'postgres',
    url: database.url,
    migrations: [createMessagingMigration(1700000000000), TestEffects1700000000001],
    poolSize: 8,
  }).initialize();
  await dataSource.runMigrations();
  const settings: KafkaSettings = { brokers: infra.kafkaBrokers, clientId: label, topicPrefix: uniqueTopicPrefix(label) };
  await ensureTopics(settings, ALL_TOPICS, { partitions: 1 });
  return {
    database,
    dataSource,
    settings,
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}

/** A table the tests' handlers write into, to count effects. */
class TestEffects1700000000001 {
  name = 'TestEffects1700000000001';
  async up(q: { query(sql: string): Promise<unknown> }): Promise<void> {
    await q.query('CREATE TABLE effects (id bigserial PRIMARY KEY, event_id uuid NOT NULL, note text)');
  }
  async down(q: { query(sql: string): Promise<unknown> }): Promise<void> {
    await q.query('DROP TABLE effects');
  }
}

/** Reads every message of a topic from the beginning, for assertions. */
export async function collectMessages(
  settings: KafkaSettings,
  topic: string,
): Promise<{ messages: { key: string; value: string; headers: Record<string, string> }[]; stop(): Promise<void> }> {
  const kafka = new Kafka({ clientId: `${settings.clientId}-probe`, brokers: settings.brokers, logLevel: 1 });
  const consumer = kafka.consumer({ groupId: `${settings.topicPrefix}probe-${Math.random()}`, maxWaitTimeInMs: 100 });
  const messages: { key: string; value: string; headers: Record<string, string> }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      messages.push({
        key: message.key?.toString() ?? '',
        value: message.value?.toString() ?? '',
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
      });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}
