import { MigrationInterface, QueryRunner } from 'typeorm';

/** The vendors' Ed25519 signing keys, their private parts sealed; one ACTIVE per vendor. */
export class SigningKeys1733400000000 implements MigrationInterface {
  name = 'SigningKeys1733400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE signing_keys (
        kid text PRIMARY KEY,
        vendor_id uuid NOT NULL,
        vendor_prefix text NOT NULL,
        status text NOT NULL CHECK (status IN ('ACTIVE', 'PUBLISHED', 'RETIRED')),
        public_x text NOT NULL,
        sealed_private_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        rotated_at timestamptz,
        retired_at timestamptz
      )`);
    // The guarantee behind lazy creation from several instances: one ACTIVE key per vendor.
    await q.query(`CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (vendor_id) WHERE status = 'ACTIVE'`);
    await q.query(`CREATE INDEX signing_keys_vendor_idx ON signing_keys (vendor_id, created_at)`);
    await q.query(`CREATE INDEX signing_keys_prefix_idx ON signing_keys (vendor_prefix)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE signing_keys`);
  }
}
