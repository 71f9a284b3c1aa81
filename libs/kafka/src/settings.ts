import { Kafka, logLevel, LogEntry } from 'kafkajs';

/** Where Kafka is and how this process names itself there. */
export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Prepended to every topic and consumer group name (tests use a unique one per file). */
  topicPrefix?: string;
}

/** The smallest logger the library needs; Nest's Logger and console both fit. */
export interface MessagingLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

/** The full topic name of a base topic such as `licensing.coupons.v1`. */
export function topicName(settings: KafkaSettings, baseTopic: string): string {
  return `${settings.topicPrefix ?? ''}${baseTopic}`;
}

/** The inverse of topicName: the base topic of a full topic name. */
export function baseTopicName(settings: KafkaSettings, topic: string): string {
  const prefix = settings.topicPrefix ?? '';
  return prefix && topic.startsWith(prefix) ? topic.slice(prefix.length) : topic;
}

export interface KafkaRetry {
  retries: number;
  initialRetryTime: number;
  maxRetryTime: number;
}

const DEFAULT_RETRY: KafkaRetry = { retries: 8, initialRetryTime: 200, maxRetryTime: 10_000 };

/** Fields of a kafkajs log entry that are safe to print: never the message payloads. */
const SAFE_LOG_FIELDS = ['broker', 'groupId', 'topic', 'partition', 'clientId', 'retryCount', 'retryTime'] as const;

/** One log line from a kafkajs entry, with the safe fields only. */
export function formatKafkaLog(label: string, log: Record<string, unknown>): string {
  const fields = SAFE_LOG_FIELDS.filter((f) => log[f] !== undefined && log[f] !== null).map(
    (f) => `${f}=${String(log[f])}`,
  );
  const error = typeof log['error'] === 'string' ? log['error'] : undefined;
  return [
    `kafka ${label}: ${String(log['message'] ?? '')}`,
    error && error !== log['message'] ? `(${error})` : '',
    fields.join(' '),
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * The one place that creates a kafkajs client. Its log lines (warnings and errors only) go
 * to the given logger with a fixed set of fields, so message payloads (which may carry
 * personal data) never reach the logs. Internal to this library: kafkajs types stay here.
 */
export function createKafkaClient(
  settings: KafkaSettings,
  logger: MessagingLogger = console,
  retry: KafkaRetry = DEFAULT_RETRY,
): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, label, log }: LogEntry) => {
        const text = formatKafkaLog(label, log as unknown as Record<string, unknown>);
        if (level === logLevel.ERROR) logger.error(text);
        else if (level === logLevel.WARN) logger.warn(text);
      },
  });
}
