import { createIdempotencyMigration } from '@licensing/database';
import {
  createMessagingMigration,
  createMessagingTraceMigration,
  createOutboxOrderMigration,
  createProcessedEventsAgeMigration,
} from '@licensing/kafka';
import { Coupons1732200000000 } from './1732200000000-coupons';

/** Applied in order; each has a working down(). */
export const couponsMigrations = [
  createMessagingMigration(1731999999000),
  Coupons1732200000000,
  createIdempotencyMigration(1732300000000),
  createMessagingTraceMigration(1734000000000),
  // Retention finds old processed-event records by age (libs/kafka).
  createProcessedEventsAgeMigration(1737000000000),
  // The outbox relay claims pending rows in order from an index (libs/kafka).
  createOutboxOrderMigration(1739000000000),
];
