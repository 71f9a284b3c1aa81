import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sessions service's read model of the keys service: vendors, products (with how seats
 * are counted and which product they require), keys and every license on them, kept from
 * the keys service's events. Revoked licenses stay as tombstones, so a replayed older event
 * cannot bring one back; `updated_at` is the time of the event a row was last taken from.
 */
export class ReadModel1733000000000 implements MigrationInterface {
  name = 'ReadModel1733000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE known_vendors (
        vendor_id uuid PRIMARY KEY,
        prefix char(4) NOT NULL UNIQUE
      )`);
    await q.query(`
      CREATE TABLE known_products (
        product_id uuid PRIMARY KEY,
        vendor_id uuid NOT NULL,
        code text NOT NULL,
        license_model text NOT NULL CHECK (license_model IN ('HOST_BINDING', 'CONCURRENT_SESSIONS', 'CONCURRENT_HOSTS')),
        requires_product_code text,
        updated_at timestamptz NOT NULL,
        CONSTRAINT known_products_vendor_code_key UNIQUE (vendor_id, code)
      )`);
    await q.query(`
      CREATE TABLE known_keys (
        key_id uuid PRIMARY KEY,
        vendor_id uuid NOT NULL,
        code text NOT NULL UNIQUE,
        deleted_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE known_licenses (
        license_id uuid PRIMARY KEY,
        vendor_id uuid NOT NULL,
        key_id uuid NOT NULL,
        product_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('TRIAL', 'MAIN', 'ADDITIONAL')),
        seats int NOT NULL CHECK (seats >= 0),
        starts_at timestamptz NOT NULL,
        expires_at timestamptz,
        active boolean NOT NULL,
        revoked_at timestamptz,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX known_licenses_key_idx ON known_licenses (key_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE known_licenses`);
    await q.query(`DROP TABLE known_keys`);
    await q.query(`DROP TABLE known_products`);
    await q.query(`DROP TABLE known_vendors`);
  }
}
