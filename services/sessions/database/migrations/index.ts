import {
  createMessagingMigration,
  createMessagingTraceMigration,
  createOutboxOrderMigration,
  createProcessedEventsAgeMigration,
} from '@licensing/kafka';
import { ReadModel1733000000000 } from './1733000000000-read-model';
import { HostBindings1733100000000 } from './1733100000000-host-bindings';
import { LicenseChecks1733200000000 } from './1733200000000-license-checks';
import { HeartbeatIntervals1733300000000 } from './1733300000000-heartbeat-intervals';
import { SigningKeys1733400000000 } from './1733400000000-signing-keys';

/** Applied in order; each has a working down(). */
export const sessionsMigrations = [
  createMessagingMigration(1731999999000),
  ReadModel1733000000000,
  HostBindings1733100000000,
  LicenseChecks1733200000000,
  HeartbeatIntervals1733300000000,
  SigningKeys1733400000000,
  createMessagingTraceMigration(1734000000000),
  // Retention finds old processed-event records by age (libs/kafka).
  createProcessedEventsAgeMigration(1737000000000),
  // The outbox relay claims pending rows in order from an index (libs/kafka).
  createOutboxOrderMigration(1739000000000),
];
