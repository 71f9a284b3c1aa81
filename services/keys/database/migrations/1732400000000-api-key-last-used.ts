import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each API key was last used, as the gateway resolved it (written at most once a
 * minute per key), so a vendor can tell a forgotten key from a live one before revoking it.
 */
export class ApiKeyLastUsed1732400000000 implements MigrationInterface {
  name = 'ApiKeyLastUsed1732400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys ADD COLUMN last_used_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP COLUMN last_used_at`);
  }
}
