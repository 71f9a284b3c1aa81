import { MigrationInterface, QueryRunner } from 'typeorm';

/** A vendor's own heartbeat interval for a product (products without a row use the default). */
export class HeartbeatIntervals1733300000000 implements MigrationInterface {
  name = 'HeartbeatIntervals1733300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE product_heartbeat_intervals (
        product_id uuid PRIMARY KEY,
        vendor_id uuid NOT NULL,
        seconds int NOT NULL CHECK (seconds BETWEEN 5 AND 3600),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX product_heartbeat_intervals_vendor_idx ON product_heartbeat_intervals (vendor_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE product_heartbeat_intervals`);
  }
}
