import { randomUUID } from 'node:crypto';
import { createEvent, KeyCreated, KeyDeleted, LicenseChanged, LicenseRevoked, ProductUpdated } from '@licensing/events';
import { DomainError } from '@licensing/graphql';
import { updated } from '@licensing/database';
import { ReadModelHandler } from '../src/read-model/read-model.handler';
import { ReadModelModule } from '../src/read-model/read-model.module';
import { ReadModelService, RECENT_STANDING_MS } from '../src/read-model/read-model.service';
import { SessionsTestbed, TestKey, TestVendor } from './sessions-testbed';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** The license read model against a real database and Redis, fed the keys service's events. */
describe('license read model', () => {
  let testbed: SessionsTestbed;
  let readModel: ReadModelService;
  let acme: TestVendor;

  const standing = (key: TestKey, product: string) => readModel.standing(key.code, product);

  async function refusal(call: Promise<unknown>): Promise<{ code: string; field?: string }> {
    const error: unknown = await call.then(
      () => new Error('expected a refusal'),
      (e: unknown) => e,
    );
    if (!(error instanceof DomainError)) throw error;
    return { code: error.code, field: error.field };
  }

  beforeAll(async () => {
    testbed = await SessionsTestbed.start('sessions_read_model', [ReadModelModule], [ReadModelHandler]);
    readModel = testbed.get(ReadModelService);
    acme = await testbed.vendor('ACME', {
      PBX: 'HOST_BINDING',
      DESK: 'CONCURRENT_SESSIONS',
      MODULE: { model: 'CONCURRENT_HOSTS', requires: 'DESK' },
    });
  });

  afterAll(() => testbed?.close());

  it('sums a main and an additional license in force, until the main one ends', async () => {
    const key = await testbed.key(acme);
    const end = Date.UTC(2031, 7, 7, 12);
    await testbed.grant(acme, key, 'DESK', { seats: 5, expiresAt: iso(end) });
    await testbed.grant(acme, key, 'DESK', { kind: 'ADDITIONAL', seats: 3, expiresAt: iso(end + 30 * DAY) });
    expect(await standing(key, 'DESK')).toMatchObject({
      keyId: key.keyId,
      vendorId: acme.id,
      productId: acme.products['DESK'],
      licenseModel: 'CONCURRENT_SESSIONS',
      active: true,
      seats: 8,
      kind: 'MAIN',
      validUntil: new Date(end),
      reason: null,
      message: 'License active until 07.08.2031',
    });
  });

  it('gives a trial its own seat, and a main license supersedes it', async () => {
    const key = await testbed.key(acme);
    await testbed.grant(acme, key, 'PBX', { kind: 'TRIAL', seats: 1, expiresAt: iso(Date.now() + 30 * DAY) });
    expect(await standing(key, 'PBX')).toMatchObject({ active: true, kind: 'TRIAL', seats: 1 });
    expect((await standing(key, 'PBX')).message).toMatch(/^Trial license active until \d\d\.\d\d\.\d{4}$/);
    await testbed.grant(acme, key, 'PBX', { seats: 4, expiresAt: null });
    expect(await standing(key, 'PBX')).toMatchObject({
      active: true,
      kind: 'MAIN',
      seats: 4,
      validUntil: null,
      message: 'License active, perpetual',
    });
  });

  it('names why a product is not in force', async () => {
    const key = await testbed.key(acme);
    expect(await standing(key, 'DESK')).toMatchObject({ active: false, reason: 'NO_LICENSE', seats: 0 });
    await testbed.grant(acme, key, 'DESK', { expiresAt: iso(Date.now() - DAY), startsAt: iso(Date.now() - 9 * DAY) });
    expect(await standing(key, 'DESK')).toMatchObject({
      active: false,
      reason: 'EXPIRED',
      message: 'The license has expired',
    });
    await testbed.grant(acme, key, 'MODULE', { seats: 2 });
    expect(await standing(key, 'MODULE')).toMatchObject({ active: false, reason: 'REQUIRED_PRODUCT_INACTIVE' });
    await testbed.grant(acme, key, 'DESK', { seats: 1 });
    expect(await standing(key, 'MODULE')).toMatchObject({ active: true, seats: 2, licenseModel: 'CONCURRENT_HOSTS' });
  });

  it('refuses malformed codes, unknown keys and products the vendor does not have', async () => {
    const key = await testbed.key(acme);
    expect(await refusal(readModel.standing('ACME-1234', 'DESK'))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.keyCode',
    });
    expect(await refusal(readModel.standing('ACME-00000-00000-00000-00000', 'DESK'))).toEqual({
      code: 'NOT_FOUND',
      field: 'input.keyCode',
    });
    expect(await refusal(readModel.standing(key.code, 'NOPE'))).toEqual({
      code: 'NOT_FOUND',
      field: 'input.productCode',
    });
    // Another vendor's product code is not a product of this key's vendor.
    const globex = await testbed.vendor('GLBX', { ONLYGLOBEX: 'HOST_BINDING' });
    expect(await refusal(readModel.standing(key.code, 'ONLYGLOBEX'))).toMatchObject({ code: 'NOT_FOUND' });
    expect((await standing(await testbed.key(globex), 'ONLYGLOBEX')).reason).toBe('NO_LICENSE');
  });

  it('reads a key it has seen from Redis alone', async () => {
    const key = await testbed.key(acme);
    await testbed.grant(acme, key, 'DESK', { seats: 2 });
    expect((await standing(key, 'DESK')).seats).toBe(2);
    // Postgres forgets the key behind the cache's back: the answer does not change.
    await updated(testbed.dataSource, 'DELETE FROM known_licenses WHERE key_id = $1', [key.keyId]);
    await updated(testbed.dataSource, 'DELETE FROM known_keys WHERE key_id = $1', [key.keyId]);
    expect((await standing(key, 'DESK')).seats).toBe(2);
  });

  it('applies a renewal, a seat change, a revocation and a deletion to the very next read', async () => {
    const key = await testbed.key(acme);
    const granted = await testbed.grant(acme, key, 'DESK', { seats: 2, expiresAt: iso(Date.now() - DAY) });
    expect((await standing(key, 'DESK')).reason).toBe('EXPIRED');

    const renewedUntil = Date.UTC(2032, 0, 31);
    await testbed.deliver(
      testbed.licenseEvent(LicenseChanged, acme, key, 'DESK', { ...granted, seats: 6, expiresAt: iso(renewedUntil) }),
    );
    expect(await standing(key, 'DESK')).toMatchObject({
      active: true,
      seats: 6,
      message: 'License active until 31.01.2032',
    });

    await testbed.deliver(testbed.licenseEvent(LicenseRevoked, acme, key, 'DESK', { ...granted, active: false }));
    expect(await standing(key, 'DESK')).toMatchObject({ active: false, reason: 'NO_LICENSE' });

    await testbed.grant(acme, key, 'DESK', { seats: 1 });
    expect((await standing(key, 'DESK')).active).toBe(true);
    await testbed.deliver(
      createEvent(KeyDeleted, { vendorId: acme.id, subject: key.keyId, data: { keyId: key.keyId, code: key.code } }),
    );
    expect(await standing(key, 'DESK')).toMatchObject({
      active: false,
      reason: 'KEY_DELETED',
      message: 'The license key was deleted',
    });
  });

  it('recentStanding: a heartbeat’s read, from memory for a second, sees this instance’s own changes at once', async () => {
    const key = await testbed.key(acme);
    const granted = await testbed.grant(acme, key, 'DESK', { seats: 2 });
    expect((await readModel.recentStanding(key.code, 'DESK')).seats).toBe(2);
    // Behind its back (another instance's write to Redis): not seen while the memory holds…
    const snapshotKey = (await testbed.main.redis.keys(`*:lic:key:${key.code}`))[0]!;
    const stored = JSON.parse((await testbed.main.redis.get(snapshotKey))!);
    stored.licenses[0].seats = 9;
    await testbed.main.redis.set(snapshotKey, JSON.stringify(stored), 'KEEPTTL');
    expect((await readModel.recentStanding(key.code, 'DESK')).seats).toBe(2);
    // …the clock is always now: a term that ends is seen however young the memory…
    const later = new Date(Date.now() + 400 * DAY);
    expect((await readModel.recentStanding(key.code, 'DESK', later)).active).toBe(granted.expiresAt === null);
    // …and after RECENT_STANDING_MS it is read again.
    await new Promise((r) => setTimeout(r, RECENT_STANDING_MS + 50));
    expect((await readModel.recentStanding(key.code, 'DESK')).seats).toBe(9);
    // A change this instance applies from an event is seen at the very next read.
    await testbed.deliver(testbed.licenseEvent(LicenseRevoked, acme, key, 'DESK', { ...granted, active: false }));
    expect(await readModel.recentStanding(key.code, 'DESK')).toMatchObject({ active: false, reason: 'NO_LICENSE' });
  });

  it('applies a product’s new license model and requirement to the next read', async () => {
    const vendor = await testbed.vendor('INIT', { APP: 'CONCURRENT_SESSIONS', BASE: 'HOST_BINDING' });
    const key = await testbed.key(vendor);
    await testbed.grant(vendor, key, 'APP', { seats: 3 });
    expect((await standing(key, 'APP')).licenseModel).toBe('CONCURRENT_SESSIONS');
    await testbed.deliver(
      createEvent(ProductUpdated, {
        vendorId: vendor.id,
        subject: vendor.products['APP']!,
        data: {
          productId: vendor.products['APP']!,
          code: 'APP',
          name: 'App',
          licenseModel: 'CONCURRENT_HOSTS',
          trialDays: 30,
          requiresProductCode: 'BASE',
        },
      }),
    );
    expect(await standing(key, 'APP')).toMatchObject({
      licenseModel: 'CONCURRENT_HOSTS',
      active: false,
      reason: 'REQUIRED_PRODUCT_INACTIVE',
    });
  });

  it('ignores an event older than what it holds, and never brings back a revoked license', async () => {
    const key = await testbed.key(acme);
    const now = Date.now();
    const granted = await testbed.grant(acme, key, 'DESK', { seats: 4 });
    const stale = testbed.licenseEvent(
      LicenseChanged,
      acme,
      key,
      'DESK',
      { ...granted, seats: 1 },
      new Date(now - 60_000),
    );
    await testbed.deliver(stale);
    expect((await standing(key, 'DESK')).seats).toBe(4);
    await testbed.deliver(testbed.licenseEvent(LicenseRevoked, acme, key, 'DESK', granted));
    await testbed.deliver(
      testbed.licenseEvent(LicenseChanged, acme, key, 'DESK', { ...granted, seats: 9 }, new Date(now + 60_000)),
    );
    expect((await standing(key, 'DESK')).reason).toBe('NO_LICENSE');
  });

  it('learns a key created after its code was asked for', async () => {
    const code = (await testbed.key(acme)).code.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expect(await refusal(readModel.standing(code, 'DESK'))).toMatchObject({ code: 'NOT_FOUND' });
    const keyId = randomUUID();
    await testbed.deliver(
      createEvent(KeyCreated, {
        vendorId: acme.id,
        subject: keyId,
        data: { keyId, code, clientId: randomUUID(), company: 'Late', origin: 'CABINET' },
      }),
    );
    expect((await readModel.standing(code, 'DESK')).reason).toBe('NO_LICENSE');
  });
});
