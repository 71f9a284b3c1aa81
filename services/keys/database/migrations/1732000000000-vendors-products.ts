import { MigrationInterface, QueryRunner } from 'typeorm';

export class VendorsProducts1732000000000 implements MigrationInterface {
  name = 'VendorsProducts1732000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE vendors (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        prefix char(4) NOT NULL CONSTRAINT vendors_prefix_key UNIQUE CHECK (prefix ~ '^[A-Z]{4}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        vendor_id uuid NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
        display_prefix text NOT NULL,
        key_hash char(64) NOT NULL CONSTRAINT api_keys_key_hash_key UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_keys_vendor_idx ON api_keys (vendor_id)`);
    await q.query(`
      CREATE TABLE products (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        vendor_id uuid NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
        code text NOT NULL,
        name text NOT NULL,
        license_model text NOT NULL CHECK (license_model IN ('HOST_BINDING', 'CONCURRENT_SESSIONS', 'CONCURRENT_HOSTS')),
        trial_days int NOT NULL DEFAULT 30 CHECK (trial_days BETWEEN 1 AND 365),
        requires_product_id uuid REFERENCES products(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT products_vendor_code_key UNIQUE (vendor_id, code)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE products');
    await q.query('DROP TABLE api_keys');
    await q.query('DROP TABLE vendors');
  }
}
