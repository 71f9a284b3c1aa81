import { Kafka, logLevel } from 'kafkajs';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { ALL_TOPICS, CouponDeactivated, createEvent, EventEnvelope } from '@licensing/events';
import { runMigrations, serviceDataSourceOptions } from '@licensing/database';
import { createTestDatabase, TestDatabase, testInfrastructure, uniqueTopicPrefix } from '@licensing/testing';
import {
  createMessagingMigration,
  createMessagingTraceMigration,
  ensureTopics,
  KafkaSettings,
  MessagingLogger,
} from '../src';

/** A logger that keeps every line, so tests can look at what would have been logged. */
export function capturingLogger(): MessagingLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: (m) => void lines.push(`log ${m}`),
    warn: (m) => void lines.push(`warn ${m}`),
    error: (m) => void lines.push(`error ${m}`),
  };
}

export interface MessagingFixture {
  database: TestDatabase;
  dataSource: DataSource;
  settings: KafkaSettings;
  close(): Promise<void>;
}

/** A table the tests' handlers write into, to count effects. */
class TestEffects1700000000001 implements MigrationInterface {
  name = 'TestEffects1700000000001';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE effects (id bigserial PRIMARY KEY, event_id uuid NOT NULL, note text)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE effects');
  }
}

/**
 * A fresh database with the messaging tables (migrated as a service does it), the topics
 * under a prefix of this file's own, and one partition each so order is easy to assert.
 */
export async function messagingFixture(label: string): Promise<MessagingFixture> {
  const infra = await testInfrastructure();
  const database = await createTestDatabase(label);
  const dataSource = new DataSource(
    serviceDataSourceOptions({
      url: database.url,
      service: `kafka-${label}`,
      entities: [],
      migrations: [
        createMessagingMigration(1700000000000),
        TestEffects1700000000001,
        createMessagingTraceMigration(1700000000002),
      ],
      poolSize: 8,
    }),
  );
  await dataSource.initialize();
  await runMigrations(dataSource, `kafka-${label}`);
  const settings: KafkaSettings = {
    brokers: infra.kafkaBrokers,
    clientId: `kafka-${label}`,
    topicPrefix: uniqueTopicPrefix(label),
  };
  await ensureTopics(settings, ALL_TOPICS, { partitions: 1 });
  return {
    database,
    dataSource,
    settings,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await database.drop();
    },
  };
}

export interface ReceivedMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** Reads every message of a topic from the beginning, with a plain kafkajs consumer. */
export async function collectMessages(
  settings: KafkaSettings,
  topic: string,
): Promise<{ messages: ReceivedMessage[]; stop(): Promise<void> }> {
  const kafka = new Kafka({
    clientId: `${settings.clientId}-probe`,
    brokers: settings.brokers,
    logLevel: logLevel.ERROR,
  });
  const consumer = kafka.consumer({
    groupId: `${settings.topicPrefix}probe-${crypto.randomUUID()}`,
    maxWaitTimeInMs: 100,
  });
  const messages: ReceivedMessage[] = [];
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

/** A valid coupon.deactivated event for a key (the subject, hence the message key). */
export function deactivation(
  keyId: string = crypto.randomUUID(),
  vendorId = '6a1f3c2e-5b4d-4e8f-9a7b-1c2d3e4f5a6b',
): EventEnvelope<object> {
  return createEvent(CouponDeactivated, {
    vendorId,
    subject: keyId,
    data: {
      activationId: crypto.randomUUID(),
      couponId: crypto.randomUUID(),
      couponCode: 'DEMOUPD-AAAAA-BBBBB-CCCCC-DDDDD',
      couponType: 'ADD_PRODUCT',
      keyId,
      keyCode: 'DEMO-AAAAA-BBBBB-CCCCC-DDDDD',
    },
  });
}
