// The messaging library's public surface. kafkajs stays behind it: nothing exported here
// exposes a kafkajs type, so a client swap stays inside libs/kafka.
export type { KafkaSettings, MessagingLogger } from './settings';
export { topicName } from './settings';
export { ensureTopics } from './topics';
export type { EnsureTopicsOptions } from './topics';
export {
  createMessagingMigration,
  createMessagingTraceMigration,
  createProcessedEventsAgeMigration,
  createOutboxOrderMigration,
} from './messaging.migration';
export { changeAndEnqueue, enqueue, enqueueMany, OUTBOX_CHANNEL } from './outbox';
export { OutboxRelay } from './outbox-relay';
export { PgListener, pgClientConfig } from './pg-listener';
export { EventPublisher } from './publisher';
export type { OutboxRelayOptions, OutboxRelayStatus, DrainResult } from './outbox-relay';
export { EventConsumer } from './consumer';
export type {
  ClaimedEvent,
  EventBatchHandler,
  EventConsumerOptions,
  EventConsumerStatus,
  EventHandler,
} from './consumer';
export { backoffDelayMs } from './backoff';
export { ConsumerLagProbe } from './lag';
export type { PartitionLag } from './lag';
