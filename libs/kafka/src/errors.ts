interface ErrorLike {
  name?: unknown;
  message?: unknown;
  type?: unknown;
  code?: unknown;
  originalError?: unknown;
  cause?: unknown;
}

/** kafkajs error classes that mean "the cluster could not be reached or answered". */
const UNAVAILABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSNoBrokerAvailableError',
]);

/** Broker protocol errors that concern the cluster's state, not the message. */
const UNAVAILABLE_PROTOCOL_TYPES = new Set([
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'BROKER_NOT_AVAILABLE',
  'REPLICA_NOT_AVAILABLE',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'NOT_CONTROLLER',
  'KAFKA_STORAGE_ERROR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
]);

const NETWORK_CODES = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE)\b/;

/**
 * Whether a publish error means "Kafka cannot be reached" (every message would fail alike)
 * rather than "this message is bad" (invalid topic, record too large, unknown topic...).
 * kafkajs wraps causes (retries exceeded → connection error), so the chain is walked.
 */
export function isBrokerUnavailable(error: unknown): boolean {
  let current = error as ErrorLike | undefined;
  for (let depth = 0; current && typeof current === 'object' && depth < 8; depth++) {
    if (typeof current.name === 'string' && UNAVAILABLE_NAMES.has(current.name)) return true;
    if (typeof current.type === 'string' && UNAVAILABLE_PROTOCOL_TYPES.has(current.type)) return true;
    if (typeof current.code === 'string' && NETWORK_CODES.test(current.code)) return true;
    if (typeof current.message === 'string' && NETWORK_CODES.test(current.message)) return true;
    current = (current.originalError ?? current.cause) as ErrorLike | undefined;
  }
  return false;
}

/** A short, single-line description of an error for logs and the outbox's last_error. */
export function describeError(error: unknown, max = 1_000): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
