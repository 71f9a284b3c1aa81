import { createMessagingMigration } from '@licensing/kafka';

/** Applied in order; each has a working down(). */
export const sessionsMigrations = [createMessagingMigration(1731999999000)];
