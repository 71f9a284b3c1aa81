import { createIdempotencyMigration } from '@licensing/database';
import {
  createMessagingMigration,
  createMessagingTraceMigration,
  createOutboxOrderMigration,
  createProcessedEventsAgeMigration,
} from '@licensing/kafka';
import { VendorsProducts1732000000000 } from './1732000000000-vendors-products';
import { KeysLicenses1732100000000 } from './1732100000000-keys-licenses';
import { ApiKeyLastUsed1732400000000 } from './1732400000000-api-key-last-used';

/** Applied in order; each has a working down(). */
export const keysMigrations = [
  createMessagingMigration(1731999999000),
  VendorsProducts1732000000000,
  KeysLicenses1732100000000,
  createIdempotencyMigration(1732300000000),
  ApiKeyLastUsed1732400000000,
  createMessagingTraceMigration(1734000000000),
  // Retention finds old processed-event records by age (libs/kafka).
  createProcessedEventsAgeMigration(1737000000000),
  // The outbox relay claims pending rows in order from an index (libs/kafka).
  createOutboxOrderMigration(1739000000000),
];
