import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { rows } from '@licensing/database';
import { daysAfter, TRIAL_SEATS } from '@licensing/domain';
import { CouponActivatedData, CouponType, LicenseSourceType } from '@licensing/events';
import { TestDatabase } from '@licensing/testing';
import { CouponGrantsModule } from '../src/coupon-grants/coupon-grants.module';
import { CouponGrantsService } from '../src/coupon-grants/coupon-grants.service';
import { LicenseKey } from '../src/license-key/license-key.entity';
import { LicenseKeyService } from '../src/license-key/license-key.service';
import { LicenseService } from '../src/license/license.service';
import { Product } from '../src/product/product.entity';
import { ProductService } from '../src/product/product.service';
import { VendorService } from '../src/vendor/vendor.service';
import { compileFeatures, migratedDatabase, outboxEvents } from './support';

interface LicenseRow {
  product: string;
  kind: string;
  seats: number;
  active: boolean;
  expiresAt: Date | null;
  source: string;
  sourceId: string | null;
}

/**
 * What activated coupons grant and what their rollback restores, with the journal, against a
 * real database: the grant service as the consumer calls it, in one transaction per event.
 */
describe('coupon grants', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let grants: CouponGrantsService;
  let vendors: VendorService;
  let products: ProductService;
  let keys: LicenseKeyService;
  let licenses: LicenseService;
  const now = new Date();
  let vendorCount = 0;

  beforeAll(async () => {
    ({ db, dataSource } = await migratedDatabase('keys_grants'));
    const compiled = await compileFeatures(dataSource, [CouponGrantsModule]);
    close = compiled.close;
    grants = compiled.moduleRef.get(CouponGrantsService);
    vendors = compiled.moduleRef.get(VendorService);
    products = compiled.moduleRef.get(ProductService);
    keys = compiled.moduleRef.get(LicenseKeyService);
    licenses = compiled.moduleRef.get(LicenseService);
  });

  afterAll(async () => {
    await close?.();
    await dataSource?.destroy();
    await db?.drop();
  });

  /** A vendor of its own, with products PBX (14 trial days), CRM (10) and PRO, and one key. */
  async function vendorWithKey(): Promise<{ vendorId: string; key: LicenseKey; product: Record<string, Product> }> {
    vendorCount += 1;
    const prefix = `GR${String.fromCharCode(65 + Math.floor(vendorCount / 26), 65 + (vendorCount % 26))}`;
    const { vendor } = await vendors.create({ prefix, name: `Grants ${prefix}` });
    const product: Record<string, Product> = {};
    for (const [code, trialDays] of [
      ['PBX', 14],
      ['CRM', 10],
      ['PRO', 30],
    ] as const) {
      product[code] = await products.create(vendor.id, { code, name: code, licenseModel: 'HOST_BINDING', trialDays });
    }
    const key = await keys.create(vendor.id, { client: { company: `Client of ${prefix}` } });
    return { vendorId: vendor.id, key, product };
  }

  /** A license given outside coupons: a trial, or a main license sold by hand. */
  function given(key: LicenseKey, product: Product, kind: 'TRIAL' | 'MAIN', seats: number, expiresAt: Date | null) {
    const source: { type: LicenseSourceType } = { type: kind === 'TRIAL' ? 'TRIAL' : 'MANUAL' };
    return dataSource.transaction((m) =>
      licenses.grant(m, key, product, { kind, seats, startsAt: now, expiresAt, active: true, source }),
    );
  }

  function activation(
    key: LicenseKey,
    couponType: CouponType,
    granted: { product: Product; seats?: number; periodDays?: number; trialDays?: number }[],
  ): CouponActivatedData {
    return {
      activationId: randomUUID(),
      couponId: randomUUID(),
      couponCode: `${key.code.slice(0, 4)}UPD-${randomUUID().slice(0, 8)}`,
      couponType,
      keyId: key.id,
      keyCode: key.code,
      channel: 'VENDOR_CABINET',
      grants: granted.map(({ product, ...terms }) => ({ productId: product.id, productCode: product.code, ...terms })),
    };
  }

  const apply = (vendorId: string, data: CouponActivatedData) =>
    dataSource.transaction((m) => grants.apply(vendorId, data, m, now));
  const rollback = (data: CouponActivatedData) => dataSource.transaction((m) => grants.rollback(data.activationId, m));

  /** The key's licenses as stored, in a stable order. */
  async function stored(key: LicenseKey): Promise<LicenseRow[]> {
    const found = await rows<LicenseRow>(
      dataSource,
      `SELECT p.code AS product, l.kind, l.seats, l.active, l.expires_at AS "expiresAt",
              l.source_type AS source, l.source_id AS "sourceId"
         FROM licenses l JOIN products p ON p.id = l.product_id
        WHERE l.key_id = $1 ORDER BY p.code, l.kind, l.seats`,
      [key.id],
    );
    return found;
  }

  /** An active license the activation created. */
  function fromCoupon(
    data: CouponActivatedData,
    product: string,
    kind: string,
    seats: number,
    expiresAt: Date | null,
  ): LicenseRow {
    return { product, kind, seats, active: true, expiresAt, source: 'COUPON', sourceId: data.activationId };
  }

  async function journal(data: CouponActivatedData): Promise<{ kind: string | null; before: unknown }[]> {
    return rows(
      dataSource,
      `SELECT l.kind, c.before FROM coupon_changes c LEFT JOIN licenses l ON l.id = c.license_id
        WHERE c.activation_id = $1 ORDER BY c.id`,
      [data.activationId],
    );
  }

  const licenseEvents = async (key: LicenseKey) =>
    (
      await outboxEvents<{ kind: string; seats: number; active: boolean }>(dataSource, {
        types: ['license.granted', 'license.changed', 'license.revoked'],
        subject: key.id,
      })
    ).map((e) => `${e.type} ${e.data.kind} ${e.data.seats} ${e.data.active ? 'active' : 'inactive'}`);

  it('ADD_PRODUCT adds a MAIN license that retires the trial, then ADDITIONAL seats; rollbacks restore the trial', async () => {
    const { vendorId, key, product } = await vendorWithKey();
    const trialEnd = daysAfter(now, 14);
    await given(key, product['PBX']!, 'TRIAL', TRIAL_SEATS, trialEnd);
    const trial: LicenseRow = {
      product: 'PBX',
      kind: 'TRIAL',
      seats: 1,
      active: true,
      expiresAt: trialEnd,
      source: 'TRIAL',
      sourceId: null,
    };

    const main = activation(key, 'ADD_PRODUCT', [{ product: product['PBX']!, seats: 5, periodDays: 365 }]);
    await apply(vendorId, main);
    const mainRow = fromCoupon(main, 'PBX', 'MAIN', 5, daysAfter(now, 365));
    expect(await stored(key)).toEqual([mainRow, { ...trial, active: false }]);
    expect(await journal(main)).toEqual([
      { kind: 'MAIN', before: null },
      { kind: 'TRIAL', before: expect.objectContaining({ kind: 'TRIAL', active: true }) },
    ]);

    const extra = activation(key, 'ADD_PRODUCT', [{ product: product['PBX']!, seats: 2 }]);
    await apply(vendorId, extra);
    const extraRow = fromCoupon(extra, 'PBX', 'ADDITIONAL', 2, null);
    expect(await stored(key)).toEqual([extraRow, mainRow, { ...trial, active: false }]);

    await rollback(extra);
    expect(await stored(key)).toEqual([mainRow, { ...trial, active: false }]);
    await rollback(main);
    expect(await stored(key)).toEqual([trial]);

    expect(await licenseEvents(key)).toEqual([
      'license.granted TRIAL 1 active',
      'license.granted MAIN 5 active',
      'license.changed TRIAL 1 inactive',
      'license.granted ADDITIONAL 2 active',
      'license.revoked ADDITIONAL 2 inactive',
      // Newest change first: the trial comes back, then the main license goes.
      'license.changed TRIAL 1 active',
      'license.revoked MAIN 5 inactive',
    ]);
    const applications = await rows<{ rolled_back: boolean }>(
      dataSource,
      `SELECT rolled_back_at IS NOT NULL AS rolled_back FROM coupon_applications WHERE key_id = $1`,
      [key.id],
    );
    expect(applications).toEqual([{ rolled_back: true }, { rolled_back: true }]);
  });

  it('EXTEND_TRIAL gives the trial the granted days from now, or a new trial of the product’s days; rollback restores both', async () => {
    const { vendorId, key, product } = await vendorWithKey();
    const trialEnd = daysAfter(now, 3);
    await given(key, product['PBX']!, 'TRIAL', TRIAL_SEATS, trialEnd);
    const before = await stored(key);

    const extend = activation(key, 'EXTEND_TRIAL', [
      { product: product['PBX']!, trialDays: 30 },
      { product: product['CRM']! },
    ]);
    await apply(vendorId, extend);
    expect(await stored(key)).toEqual([
      fromCoupon(extend, 'CRM', 'TRIAL', TRIAL_SEATS, daysAfter(now, 10)),
      { ...before[0]!, expiresAt: daysAfter(now, 30) },
    ]);
    expect(await journal(extend)).toEqual([
      { kind: 'TRIAL', before: expect.objectContaining({ expiresAt: trialEnd.toISOString() }) },
      { kind: 'TRIAL', before: null },
    ]);

    await rollback(extend);
    expect(await stored(key)).toEqual(before);
  });

  it('UPGRADE replaces the products the coupon does not list and renews the listed ones; rollback restores them', async () => {
    const { vendorId, key, product } = await vendorWithKey();
    await given(key, product['PBX']!, 'MAIN', 3, null);
    await given(key, product['CRM']!, 'MAIN', 1, daysAfter(now, 100));
    const before = await stored(key);

    const upgrade = activation(key, 'UPGRADE', [
      { product: product['PRO']!, seats: 10, periodDays: 365 },
      { product: product['CRM']!, seats: 4 },
    ]);
    await apply(vendorId, upgrade);
    expect(await stored(key)).toEqual([
      { ...before[0]!, seats: 4, expiresAt: null },
      { ...before[1]!, active: false },
      fromCoupon(upgrade, 'PRO', 'MAIN', 10, daysAfter(now, 365)),
    ]);

    await rollback(upgrade);
    expect(await stored(key)).toEqual(before);
  });

  it('changes nothing a second time when the same activation or deactivation arrives again', async () => {
    const { vendorId, key, product } = await vendorWithKey();
    const add = activation(key, 'ADD_PRODUCT', [{ product: product['PBX']!, seats: 2 }]);

    await apply(vendorId, add);
    const applied = { licenses: await stored(key), events: await licenseEvents(key), journal: await journal(add) };
    await apply(vendorId, add);
    expect({ licenses: await stored(key), events: await licenseEvents(key), journal: await journal(add) }).toEqual(
      applied,
    );

    await rollback(add);
    const rolledBack = { licenses: await stored(key), events: await licenseEvents(key) };
    expect(rolledBack.licenses).toEqual([]);
    await rollback(add);
    await apply(vendorId, add);
    expect({ licenses: await stored(key), events: await licenseEvents(key) }).toEqual(rolledBack);
  });

  it('leaves another vendor’s key alone, and grants none of another vendor’s products', async () => {
    const mine = await vendorWithKey();
    const other = await vendorWithKey();

    // An event of the other vendor naming my key.
    await apply(other.vendorId, activation(mine.key, 'ADD_PRODUCT', [{ product: other.product['PBX']! }]));
    // An event of my vendor granting the other vendor's product.
    await apply(mine.vendorId, activation(mine.key, 'ADD_PRODUCT', [{ product: other.product['PBX']! }]));

    expect(await stored(mine.key)).toEqual([]);
    expect(await stored(other.key)).toEqual([]);
    expect(await licenseEvents(mine.key)).toEqual([]);
    const applications = await rows<{ vendor_id: string }>(
      dataSource,
      `SELECT vendor_id FROM coupon_applications WHERE key_id = $1`,
      [mine.key.id],
    );
    expect(applications).toEqual([{ vendor_id: mine.vendorId }]);
  });
});
