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

/** kafkajs's table of broker error codes (not in its typed surface, stable since 1.x). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { errorCodes } = require('kafkajs/src/protocol/error') as {
  errorCodes: { type: string; message: string; retriable: boolean }[];
};

/** The texts of the broker errors kafkajs retries by itself (a leader moving, a group rebalancing). */
const RETRIABLE_BROKER_ERRORS = new Set(errorCodes.filter((e) => e.retriable).map((e) => e.message));

/**
 * The level a kafkajs entry is logged at. kafkajs logs every broker response carrying an error
 * code at ERROR ("Response ListOffsets ... (This server is not the leader ...)"), and then
 * retries the request when the code is retriable, as it is while a new topic elects its leader
 * or a broker restarts. Those lines are warnings: if the retries run out, the caller's own
 * failure is the error.
 */
export function kafkaLogLevel(level: logLevel, log: Record<string, unknown>): 'error' | 'warn' | undefined {
  if (level === logLevel.ERROR) {
    const message = String(log['message'] ?? '');
    const retriedByKafkajs =
      message.startsWith('Response ') && typeof log['error'] === 'string' && RETRIABLE_BROKER_ERRORS.has(log['error']);
    // Services starting together create the same topics; the loser's "already exists" is
    // answered as an error, and ensureTopics looks again and fails loudly itself if they never appear.
    const retriedByEnsureTopics = message.startsWith('Response CreateTopics');
    return retriedByKafkajs || retriedByEnsureTopics ? 'warn' : 'error';
  }
  return level === logLevel.WARN ? 'warn' : undefined;
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
        const entry = log as unknown as Record<string, unknown>;
        const at = kafkaLogLevel(level, entry);
        if (at) logger[at](formatKafkaLog(label, entry));
      },
  });
}
