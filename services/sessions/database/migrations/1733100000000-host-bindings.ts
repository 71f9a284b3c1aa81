import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Host bindings of HOST_BINDING licenses: one row per (key, product, host) holding a seat
 * until a cabinet resets it. How many a (key, product) may have is decided under an
 * advisory lock of that pair; the unique constraint keeps one row per host.
 */
export class HostBindings1733100000000 implements MigrationInterface {
  name = 'HostBindings1733100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE host_bindings (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        vendor_id uuid NOT NULL,
        key_id uuid NOT NULL,
        product_id uuid NOT NULL,
        host_fingerprint text NOT NULL,
        host_name text,
        host_os text,
        host_ip text,
        host_platform_version text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT host_bindings_key_product_host_key UNIQUE (key_id, product_id, host_fingerprint)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE host_bindings`);
  }
}
