import { MigrationInterface, QueryRunner } from 'typeorm';

/** License checks as they were answered, under the request id (a UUIDv7) support looks up. */
export class LicenseChecks1733200000000 implements MigrationInterface {
  name = 'LicenseChecks1733200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE license_checks (
        request_id uuid PRIMARY KEY,
        vendor_id uuid NOT NULL,
        key_id uuid NOT NULL,
        key_code text NOT NULL,
        product_id uuid NOT NULL,
        product_code text NOT NULL,
        checked_at timestamptz NOT NULL,
        active boolean NOT NULL,
        valid_until timestamptz,
        reason text,
        message text NOT NULL
      )`);
    await q.query(`CREATE INDEX license_checks_key_idx ON license_checks (key_id, checked_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE license_checks`);
  }
}
