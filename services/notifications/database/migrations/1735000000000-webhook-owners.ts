import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications(keyCode) lists a key's webhook deliveries beside its e-mails (by vendor and
 * key, newest first); the read model keeps the vendors' staff from staff.created, so an
 * endpoint disabled for failing is reported to the vendor's owners.
 */
export class WebhookOwners1735000000000 implements MigrationInterface {
  name = 'WebhookOwners1735000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX webhook_deliveries_key_idx ON webhook_deliveries (vendor_id, key_id, seq DESC)`);
    await q.query(`
      CREATE TABLE known_staff (
        staff_id uuid PRIMARY KEY,
        vendor_id uuid NOT NULL,
        email text NOT NULL,
        name text NOT NULL,
        role text NOT NULL
      )`);
    await q.query(`CREATE INDEX known_staff_vendor_role_idx ON known_staff (vendor_id, role)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE known_staff');
    await q.query('DROP INDEX webhook_deliveries_key_idx');
  }
}
