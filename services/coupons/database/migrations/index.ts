import { createMessagingMigration } from '@licensing/kafka';

/** Applied in order; each has a working down(). */
export const couponsMigrations = [createMessagingMigration(1731999999000)];
