import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The coupons service's own tables (batches, coupons, activations) and its read model of
 * the keys service (vendors, products, distributors, keys), kept from keys events.
 */
export class Coupons1732200000000 implements MigrationInterface {
  name = 'Coupons1732200000000';

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
        trial_days int NOT NULL,
        CONSTRAINT known_products_vendor_code_key UNIQUE (vendor_id, code)
      )`);
    await q.query(`
      CREATE TABLE known_distributors (
        distributor_id uuid PRIMARY KEY,
        vendor_id uuid NOT NULL,
        name text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE known_keys (
        key_id uuid PRIMARY KEY,
        vendor_id uuid NOT NULL,
        code text NOT NULL UNIQUE,
        deleted_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE coupon_batches (
        id uuid PRIMARY KEY,
        vendor_id uuid NOT NULL,
        type text NOT NULL CHECK (type IN ('ADD_PRODUCT', 'EXTEND_TRIAL', 'UPGRADE')),
        count int NOT NULL CHECK (count BETWEEN 1 AND 100000),
        reusable boolean NOT NULL,
        distributor_id uuid,
        comment text,
        upgrade_key_id uuid,
        grants jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX coupon_batches_vendor_idx ON coupon_batches (vendor_id, created_at)`);
    // Written in bulk (COPY), so every index counts: the code is the primary key, and the
    // uuid id that events carry is stored but not indexed (nothing looks a coupon up by it).
    await q.query(`
      CREATE TABLE coupons (
        code text CONSTRAINT coupons_pkey PRIMARY KEY,
        id uuid NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        vendor_id uuid NOT NULL,
        batch_id uuid NOT NULL,
        status text NOT NULL DEFAULT 'NEW' CHECK (status IN ('NEW', 'ACTIVATED', 'DEACTIVATED')),
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX coupons_batch_seq_idx ON coupons (batch_id, seq)`);
    await q.query(`CREATE INDEX coupons_vendor_seq_idx ON coupons (vendor_id, seq)`);
    await q.query(`
      CREATE TABLE activations (
        id uuid PRIMARY KEY,
        vendor_id uuid NOT NULL,
        coupon_code text NOT NULL REFERENCES coupons(code),
        key_id uuid NOT NULL,
        channel text NOT NULL CHECK (channel IN ('APPLICATION', 'CLIENT_CABINET', 'VENDOR_CABINET')),
        activated_at timestamptz NOT NULL DEFAULT now(),
        deactivated_at timestamptz,
        -- A coupon works once per key, ever: a reusable one on many keys, a single-use one on one.
        CONSTRAINT activations_coupon_key_key UNIQUE (coupon_code, key_id)
      )`);
    await q.query(`CREATE INDEX activations_key_idx ON activations (key_id, activated_at)`);
    await q.query(`CREATE INDEX activations_vendor_time_idx ON activations (vendor_id, activated_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'activations',
      'coupons',
      'coupon_batches',
      'known_keys',
      'known_distributors',
      'known_products',
      'known_vendors',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
