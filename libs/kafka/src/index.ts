export type { KafkaSettings, MessagingLogger } from './settings';
export { topicName, ensureTopics } from './settings';
export { createMessagingMigration } from './messaging.migration';
export { enqueue, enqueueMany, OutboxRelay, OUTBOX_CHANNEL } from './outbox';
export type { OutboxRelayOptions } from './outbox';
export { EventConsumer } from './consumer';
export type { EventConsumerOptions, EventHandler } from './consumer';
export { backoffDelayMs } from './backoff';
