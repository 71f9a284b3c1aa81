import { Kafka, logLevel, LogEntry } from 'kafkajs';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Prepended to every topic name (tests use a unique one per file). */
  topicPrefix?: string;
}

/** The smallest logger the library needs; Nest's Logger and console both fit. */
export interface MessagingLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function topicName(settings: KafkaSettings, baseTopic: string): string {
  return `${settings.topicPrefix ?? ''}${baseTopic}`;
}

export function baseTopicName(settings: KafkaSettings, topic: string): string {
  const prefix = settings.topicPrefix ?? '';
  return prefix && topic.startsWith(prefix) ? topic.slice(prefix.length) : topic;
}

/**
 * kafkajs stays behind this function: its log lines are routed to our logger without
 * message payloads (they may carry personal data), warnings and errors only.
 */
export function createKafkaClient(
  settings: KafkaSettings,
  logger: MessagingLogger = console,
  retry: { retries: number; initialRetryTime: number; maxRetryTime: number } = { initialRetryTime: 200, retries: 8, maxRetryTime: 10_000 },
): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 15_000,
    retry,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, label, log }: LogEntry) => {
        const text = `kafka ${label}: ${log.message}${log['broker'] ? ` (${String(log['broker'])})` : ''}`;
        if (level === logLevel.ERROR || level === logLevel.NOTHING) logger.error(text);
        else logger.warn(text);
      },
  });
}

/**
 * Creates the topics that do not exist yet and waits until every partition has a leader.
 * Idempotent and safe when several services (or test files) create the same topics at
 * once: the broker answers "already exists" or "not hosted yet" in a race, so it retries.
 */
export async function ensureTopics(
  settings: KafkaSettings,
  baseTopics: readonly string[],
  { partitions = 3, withDeadLetters = true, timeoutMs = 30_000 } = {},
): Promise<void> {
  const admin = createKafkaClient(settings).admin();
  const wanted = baseTopics.flatMap((t) => (withDeadLetters ? [t, `${t}.dlq`] : [t])).map((t) => topicName(settings, t));
  const deadline = Date.now() + timeoutMs;
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const existing = new Set(await admin.listTopics());
        const missing = wanted.filter((t) => !existing.has(t));
        if (missing.length) {
          await admin.createTopics({
            waitForLeaders: false,
            topics: missing.map((topic) => ({
              topic,
              numPartitions: topic.endsWith('.dlq') ? 1 : partitions,
              replicationFactor: 1,
            })),
          });
        }
        const { topics } = await admin.fetchTopicMetadata({ topics: wanted });
        if (topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new Error(`topics not ready after ${timeoutMs} ms: ${wanted.join(', ')}`);
      await new Promise((r) => setTimeout(r, Math.min(1_000, 50 * attempt)));
    }
  } finally {
    await admin.disconnect();
  }
}
