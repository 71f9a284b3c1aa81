import {
  createMessagingMigration,
  createMessagingTraceMigration,
  createOutboxOrderMigration,
  createProcessedEventsAgeMigration,
} from '@licensing/kafka';
import { Notifications1733000000000 } from './1733000000000-notifications';
import { Webhooks1733100000000 } from './1733100000000-webhooks';
import { WebhookOwners1735000000000 } from './1735000000000-webhook-owners';
import { WebhookWaiting1736000000000 } from './1736000000000-webhook-waiting';
import { WebhookSenders1738000000000 } from './1738000000000-webhook-senders';

/** Applied in order; each has a working down(). */
export const notificationsMigrations = [
  createMessagingMigration(1731999999000),
  Notifications1733000000000,
  Webhooks1733100000000,
  // Every service's outbox keeps its events' trace context and request id (libs/kafka).
  createMessagingTraceMigration(1734000000000),
  WebhookOwners1735000000000,
  WebhookWaiting1736000000000,
  // Retention finds old processed-event records by age (libs/kafka).
  createProcessedEventsAgeMigration(1737000000000),
  WebhookSenders1738000000000,
  // The outbox relay claims pending rows in order from an index (libs/kafka).
  createOutboxOrderMigration(1739000000000),
];
