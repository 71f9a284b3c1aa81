import { DataSource } from 'typeorm';
import { validateEnv } from '@licensing/config';
import { daysAfter } from '@licensing/domain';
import { row, rows, runMigrations, serviceDataSourceOptions } from '@licensing/database';
import { createTestDatabase, TestDatabase } from '@licensing/testing';
import { keysMigrations } from '../database/migrations';
import { KeysConfig } from '../src/config';
import { ExpiryRepository } from '../src/expiry/expiry.repository';
import { ExpiryService } from '../src/expiry/expiry.service';
import { LicenseRecord } from '../src/license/license.entity';
import { LicenseRepository } from '../src/license/license.repository';

/** The expiry scheduler against a real database, with several instances at once. */
describe('expiry scheduler', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const config = validateEnv(KeysConfig, {
    DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
    IDENTITY_SIGNING_SECRET: 'x'.repeat(32),
    ACCESS_TOKEN_SECRET: 'y'.repeat(32),
    EXPIRY_SCAN_MS: '0',
  });
  const t0 = new Date('2030-01-01T00:00:00Z');
  const at = (days: number) => daysAfter(t0, days);

  let keyId: string;
  let productId: string;
  let vendorId: string;

  async function inserted(sql: string, params: unknown[] = []): Promise<string> {
    const created = await row<{ id: string }>(dataSource, sql, params);
    return created!.id;
  }

  function license(expiresInDays: number | null, extra: { active?: boolean } = {}): Promise<string> {
    return inserted(
      `INSERT INTO licenses (vendor_id, key_id, product_id, kind, seats, starts_at, expires_at, active, source_type)
       VALUES ($1, $2, $3, 'MAIN', 1, $4, $5, $6, 'MANUAL') RETURNING id`,
      [vendorId, keyId, productId, at(-30), expiresInDays === null ? null : at(expiresInDays), extra.active ?? true],
    );
  }

  async function notices(): Promise<{ type: string; licenseId: string; daysLeft: number; email: string | null }[]> {
    const sent = await rows<{
      event_type: string;
      payload: { data: { licenseId: string; daysLeft: number; email: string | null } };
    }>(dataSource, `SELECT event_type, payload FROM outbox WHERE event_type LIKE 'license.expir%' ORDER BY created_at`);
    return sent.map((r) => ({
      type: r.event_type,
      licenseId: r.payload.data.licenseId,
      daysLeft: r.payload.data.daysLeft,
      email: r.payload.data.email,
    }));
  }

  /** Runs `instances` schedulers at the same time, each for one pass at `now`. */
  async function runTogether(now: Date, instances = 4, batchSize = 3): Promise<void> {
    const schedulers = Array.from(
      { length: instances },
      () => new ExpiryService(dataSource, new ExpiryRepository(), config),
    );
    await Promise.all(schedulers.map((s) => s.runOnce(now, batchSize)));
  }

  beforeAll(async () => {
    db = await createTestDatabase('keys_expiry');
    dataSource = await new DataSource(
      serviceDataSourceOptions({
        url: db.url,
        service: 'keys',
        entities: [LicenseRecord],
        migrations: keysMigrations,
        poolSize: 20,
      }),
    ).initialize();
    await runMigrations(dataSource, 'keys');
    vendorId = await inserted(`INSERT INTO vendors (prefix, name) VALUES ('EXPY', 'Expiry') RETURNING id`);
    productId = await inserted(
      `INSERT INTO products (vendor_id, code, name, license_model) VALUES ($1, 'PBX', 'PBX', 'HOST_BINDING') RETURNING id`,
      [vendorId],
    );
    const clientId = await inserted(
      `INSERT INTO clients (vendor_id, company, email) VALUES ($1, 'Expiring Co', 'it@expiring.test') RETURNING id`,
      [vendorId],
    );
    keyId = await inserted(
      `INSERT INTO license_keys (vendor_id, client_id, code, origin, search) VALUES ($1, $2, 'EXPY-00000-00000-00000-00000', 'CABINET', '') RETURNING id`,
      [vendorId, clientId],
    );
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('sends each notice once, however many instances scan at the same time', async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, () => license(10)));
    const perpetual = await license(null);
    const inactive = await license(5, { active: false });

    await runTogether(at(0));
    expect(await notices()).toEqual([]);

    await runTogether(at(4)); // 6 days left
    await runTogether(at(4.5));
    let sent = await notices();
    expect(sent.map((n) => n.licenseId).sort()).toEqual([...ids].sort());
    expect(
      sent.every((n) => n.type === 'license.expiring-soon' && n.daysLeft === 6 && n.email === 'it@expiring.test'),
    ).toBe(true);

    await runTogether(at(9.5)); // half a day left
    await runTogether(at(9.6));
    sent = await notices();
    expect(sent.filter((n) => n.daysLeft === 1)).toHaveLength(10);

    await runTogether(at(10));
    await runTogether(at(12));
    sent = await notices();
    expect(sent.filter((n) => n.type === 'license.expired')).toHaveLength(10);
    expect(sent).toHaveLength(30);
    expect(sent.some((n) => n.licenseId === perpetual || n.licenseId === inactive)).toBe(false);
  });

  it('sends only the one-day notice to a license found with a day or less left', async () => {
    const late = await license(12.5);
    await runTogether(at(12));
    const mine = (await notices()).filter((n) => n.licenseId === late);
    expect(mine).toEqual([expect.objectContaining({ type: 'license.expiring-soon', daysLeft: 1 })]);
  });

  it('re-arms the notices when a license gets a new term', async () => {
    const renewed = await license(20);
    await runTogether(at(15));
    const record = await dataSource.getRepository(LicenseRecord).findOneByOrFail({ id: renewed });
    await dataSource.transaction((manager) =>
      new LicenseRepository(dataSource).save(vendorId, { ...record, expiresAt: at(40) }, manager),
    );
    await runTogether(at(35));
    expect((await notices()).filter((n) => n.licenseId === renewed).map((n) => n.daysLeft)).toEqual([5, 5]);
  });
});
