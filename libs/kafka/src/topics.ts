import { TOPIC_PARTITIONS } from '@licensing/events';
import { createKafkaClient, KafkaSettings, MessagingLogger, topicName } from './settings';
import { sleep } from './backoff';

export interface EnsureTopicsOptions {
  /** Partitions of each topic (dead-letter topics get one). Default TOPIC_PARTITIONS (3); tests use 1. */
  partitions?: number;
  /** Also create `<topic>.dlq` for every topic. Default true. */
  withDeadLetters?: boolean;
  timeoutMs?: number;
  logger?: MessagingLogger;
}

/**
 * Creates the topics that do not exist yet (prefix applied) and waits until every partition
 * has a leader. Idempotent, and safe when several services or test files create the same
 * topics at once: a race answers "already exists" or "not hosted yet", so it looks again.
 * Existing topics are left as they are (their partition count is not changed).
 */
export async function ensureTopics(
  settings: KafkaSettings,
  baseTopics: readonly string[],
  {
    partitions = TOPIC_PARTITIONS,
    withDeadLetters = true,
    timeoutMs = 30_000,
    logger = console,
  }: EnsureTopicsOptions = {},
): Promise<void> {
  const admin = createKafkaClient({ ...settings, clientId: `${settings.clientId}-admin` }, logger).admin();
  const wanted = [...new Set(baseTopics.flatMap((t) => (withDeadLetters ? [t, `${t}.dlq`] : [t])))].map((t) =>
    topicName(settings, t),
  );
  const deadline = Date.now() + timeoutMs;
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      let lastError: unknown;
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
        if (
          topics.length === wanted.length &&
          topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
        )
          return;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() > deadline) {
        const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
        throw new Error(`Kafka topics not ready after ${timeoutMs} ms (${wanted.join(', ')})${reason}`);
      }
      await sleep(Math.min(1_000, 50 * attempt));
    }
  } finally {
    await admin.disconnect();
  }
}
