import { createMessagingMigration, createMessagingTraceMigration } from '@licensing/kafka';
import { Notifications1733000000000 } from './1733000000000-notifications';

/** Applied in order; each has a working down(). */
export const notificationsMigrations = [
  createMessagingMigration(1731999999000),
  Notifications1733000000000,
  createMessagingTraceMigration(1734000000000),
];
