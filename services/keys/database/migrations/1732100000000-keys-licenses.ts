import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Staff, distributors, clients, license keys, licenses, registrations and the record of
 * what each coupon activation changed (so a deactivation restores exactly the state before).
 */
export class KeysLicenses1732100000000 implements MigrationInterface {
  name = 'KeysLicenses1732100000000';

  async up(q: QueryRunner): Promise<void> {
    // Substring search over code, company and e-mail uses trigram indexes.
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`
      CREATE TABLE staff (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        vendor_id uuid NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
        email text NOT NULL CHECK (email = lower(email)),
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('OWNER', 'MANAGER')),
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT staff_email_key UNIQUE (email)
      )`);
    await q.query(`CREATE INDEX staff_vendor_idx ON staff (vendor_id)`);
    await q.query(`
      CREATE TABLE distributors (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        vendor_id uuid NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
        name text NOT NULL,
        email text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX distributors_vendor_name_key ON distributors (vendor_id, lower(name))`);
    await q.query(`
      CREATE TABLE clients (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        vendor_id uuid NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
        company text NOT NULL,
        contact_name text,
        phone text,
        email text CHECK (email = lower(email)),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX clients_vendor_company_idx ON clients (vendor_id, lower(company))`);
    await q.query(`CREATE INDEX clients_vendor_email_idx ON clients (vendor_id, email)`);
    await q.query(`
      CREATE TABLE license_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        vendor_id uuid NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
        client_id uuid NOT NULL REFERENCES clients(id),
        code text NOT NULL CONSTRAINT license_keys_code_key UNIQUE,
        distributor_id uuid REFERENCES distributors(id),
        manager_id uuid REFERENCES staff(id),
        comment text,
        origin text NOT NULL CHECK (origin IN ('REGISTRATION', 'CABINET')),
        search text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX license_keys_vendor_seq_idx ON license_keys (vendor_id, seq DESC) WHERE deleted_at IS NULL`,
    );
    await q.query(`CREATE INDEX license_keys_client_idx ON license_keys (client_id)`);
    await q.query(
      `CREATE INDEX license_keys_search_idx ON license_keys USING gin (search gin_trgm_ops) WHERE deleted_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE licenses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        vendor_id uuid NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
        key_id uuid NOT NULL REFERENCES license_keys(id),
        product_id uuid NOT NULL REFERENCES products(id),
        kind text NOT NULL CHECK (kind IN ('TRIAL', 'MAIN', 'ADDITIONAL')),
        seats int NOT NULL CHECK (seats >= 1),
        starts_at timestamptz NOT NULL,
        expires_at timestamptz,
        active boolean NOT NULL DEFAULT true,
        source_type text NOT NULL CHECK (source_type IN ('REGISTRATION', 'TRIAL', 'COUPON', 'MANUAL')),
        source_id text,
        reminded_7d_at timestamptz,
        reminded_1d_at timestamptz,
        expired_notified_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (expires_at IS NULL OR expires_at > starts_at)
      )`);
    await q.query(`CREATE INDEX licenses_key_idx ON licenses (key_id)`);
    await q.query(`CREATE INDEX licenses_product_idx ON licenses (product_id, key_id)`);
    // One trial per key and product, ever (a rolled-back coupon trial frees the place).
    await q.query(`CREATE UNIQUE INDEX licenses_one_trial_key ON licenses (key_id, product_id) WHERE kind = 'TRIAL'`);
    // The expiry scheduler scans only active licenses with an end.
    await q.query(
      `CREATE INDEX licenses_expiry_idx ON licenses (expires_at) WHERE active AND expires_at IS NOT NULL AND expired_notified_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE registrations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        vendor_id uuid NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
        host_fingerprint text NOT NULL,
        email text NOT NULL CHECK (email = lower(email)),
        company text NOT NULL,
        key_id uuid NOT NULL REFERENCES license_keys(id),
        product_id uuid NOT NULL REFERENCES products(id),
        host jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT registrations_vendor_host_key UNIQUE (vendor_id, host_fingerprint)
      )`);
    await q.query(`
      CREATE TABLE coupon_applications (
        activation_id uuid PRIMARY KEY,
        vendor_id uuid NOT NULL,
        key_id uuid NOT NULL REFERENCES license_keys(id),
        coupon_code text NOT NULL,
        coupon_type text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        rolled_back_at timestamptz
      )`);
    await q.query(`CREATE INDEX coupon_applications_code_idx ON coupon_applications (coupon_code)`);
    await q.query(`
      CREATE TABLE coupon_changes (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        activation_id uuid NOT NULL REFERENCES coupon_applications(activation_id),
        license_id uuid NOT NULL,
        before jsonb
      )`);
    await q.query(`CREATE INDEX coupon_changes_activation_idx ON coupon_changes (activation_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE coupon_changes');
    await q.query('DROP TABLE coupon_applications');
    await q.query('DROP TABLE registrations');
    await q.query('DROP TABLE licenses');
    await q.query('DROP TABLE license_keys');
    await q.query('DROP TABLE clients');
    await q.query('DROP TABLE distributors');
    await q.query('DROP TABLE staff');
  }
}
