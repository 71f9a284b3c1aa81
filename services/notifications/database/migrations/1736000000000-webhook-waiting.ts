import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes of the delivery worker's per-endpoint reads:
 * - due deliveries by endpoint: a take reads only each endpoint's first few, instead of
 *   ranking every queued delivery (a second per take with 50,000 queued);
 * - deliveries being sent, by endpoint: the count a take checks against the per-endpoint bound;
 * - deliveries waiting for a retry, by endpoint: a successful delivery pulls its endpoint's
 *   waiting ones forward (WebhookRepository.pullForward); it holds only deliveries that failed
 *   and wait, so the look costs nothing when none do.
 */
export class WebhookWaiting1736000000000 implements MigrationInterface {
  name = 'WebhookWaiting1736000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX webhook_deliveries_endpoint_due_idx ON webhook_deliveries (endpoint_id, next_attempt_at, seq)
        WHERE status IN ('PENDING', 'SENDING')`,
    );
    await q.query(
      `CREATE INDEX webhook_deliveries_sending_idx ON webhook_deliveries (endpoint_id) WHERE status = 'SENDING'`,
    );
    await q.query(
      `CREATE INDEX webhook_deliveries_waiting_idx ON webhook_deliveries (endpoint_id, next_attempt_at)
        WHERE status = 'PENDING' AND attempts > 0`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX webhook_deliveries_waiting_idx');
    await q.query('DROP INDEX webhook_deliveries_sending_idx');
    await q.query('DROP INDEX webhook_deliveries_endpoint_due_idx');
  }
}
