import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The notifications service's read model of the keys service (vendors, products, keys with
 * their client's e-mail), the vendors' notification settings, and the e-mails: one row per
 * (causing event, message, recipient), claimed with the consumer's processed-event record
 * and sent by the mail worker.
 */
export class Notifications1733000000000 implements MigrationInterface {
  name = 'Notifications1733000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE known_vendors (
        vendor_id uuid PRIMARY KEY,
        prefix char(4) NOT NULL,
        name text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE known_products (
        product_id uuid PRIMARY KEY,
        vendor_id uuid NOT NULL,
        code text NOT NULL,
        name text NOT NULL
      )`);
    await q.query(`CREATE INDEX known_products_vendor_code_idx ON known_products (vendor_id, code)`);
    await q.query(`
      CREATE TABLE known_keys (
        key_id uuid PRIMARY KEY,
        vendor_id uuid NOT NULL,
        code text NOT NULL UNIQUE,
        company text NOT NULL,
        contact_name text,
        email text,
        created_event_id uuid,
        deleted_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE vendor_settings (
        vendor_id uuid PRIMARY KEY,
        language text NOT NULL CHECK (language IN ('EN', 'RU')),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE emails (
        id uuid PRIMARY KEY,
        seq bigserial NOT NULL UNIQUE,
        vendor_id uuid NOT NULL,
        key_id uuid,
        key_code text,
        message text NOT NULL,
        caused_by_event_id uuid NOT NULL,
        caused_by_event_type text NOT NULL,
        recipient text NOT NULL,
        language text NOT NULL,
        sender_name text NOT NULL,
        subject text NOT NULL,
        body_text text NOT NULL,
        body_html text NOT NULL,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENDING', 'SENT', 'FAILED')),
        attempts int NOT NULL DEFAULT 0,
        refusals int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        sent_at timestamptz,
        CONSTRAINT emails_once_key UNIQUE (caused_by_event_id, message, recipient)
      )`);
    await q.query(`CREATE INDEX emails_due_idx ON emails (next_attempt_at) WHERE status IN ('PENDING', 'SENDING')`);
    await q.query(`CREATE INDEX emails_key_idx ON emails (vendor_id, key_id, seq DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE emails');
    await q.query('DROP TABLE vendor_settings');
    await q.query('DROP TABLE known_keys');
    await q.query('DROP TABLE known_products');
    await q.query('DROP TABLE known_vendors');
  }
}
