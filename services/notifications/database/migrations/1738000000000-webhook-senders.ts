import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deliveries are sent under a lease on their endpoint instead of a mark on each delivery:
 * - an endpoint's sender (a worker instance) and until when it holds the endpoint; only that
 *   instance sends the endpoint's deliveries, so its bound on POSTs in flight is the
 *   endpoint's, and a delivery is written once per attempt (its record) instead of twice;
 * - the index of deliveries being sent goes (none are marked any more), and so do two that
 *   nothing reads: the due index over all endpoints (takes read each endpoint's own) and the
 *   unique index on seq (a sequence's numbers are unique already). Every index is paid for at
 *   every new row version of every delivery.
 */
export class WebhookSenders1738000000000 implements MigrationInterface {
  name = 'WebhookSenders1738000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE webhook_endpoints ADD COLUMN sender_id uuid, ADD COLUMN sender_until timestamptz');
    // Deliveries a worker of the earlier kind was sending: due again (their attempt was counted).
    await q.query(`UPDATE webhook_deliveries SET status = 'PENDING', next_attempt_at = now() WHERE status = 'SENDING'`);
    await q.query('DROP INDEX webhook_deliveries_sending_idx');
    await q.query('DROP INDEX webhook_deliveries_due_idx');
    await q.query('ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_seq_key');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_seq_key UNIQUE (seq)');
    await q.query(
      `CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status IN ('PENDING', 'SENDING')`,
    );
    await q.query(
      `CREATE INDEX webhook_deliveries_sending_idx ON webhook_deliveries (endpoint_id) WHERE status = 'SENDING'`,
    );
    await q.query('ALTER TABLE webhook_endpoints DROP COLUMN sender_id, DROP COLUMN sender_until');
  }
}
