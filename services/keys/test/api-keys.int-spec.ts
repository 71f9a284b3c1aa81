import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { row } from '@licensing/database';
import { API_KEY_REVOKED_CHANNEL, ApiKeyRevokedData } from '@licensing/events';
import { DomainError } from '@licensing/graphql';
import { TestDatabase, testInfrastructure } from '@licensing/testing';
import { VendorModule } from '../src/vendor/vendor.module';
import { VendorService } from '../src/vendor/vendor.service';
import { compileFeatures, migratedDatabase, outboxEvents } from './support';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

/**
 * A vendor's API keys through the vendor feature module against a real database and Redis:
 * the list shows no secret, a revocation is scoped to the vendor, written with its event in
 * one transaction and announced to the gateways, and a lookup records the key's last use.
 */
describe('API keys: list, revoke, last use', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let vendors: VendorService;
  let subscriber: Redis;
  const announced: ApiKeyRevokedData[] = [];

  beforeAll(async () => {
    ({ db, dataSource } = await migratedDatabase('keys_api_keys'));
    const compiled = await compileFeatures(dataSource, [VendorModule]);
    close = compiled.close;
    vendors = compiled.moduleRef.get(VendorService);
    subscriber = new Redis((await testInfrastructure()).redisUrl);
    subscriber.on('message', (_channel: string, message: string) => {
      announced.push(JSON.parse(message) as ApiKeyRevokedData);
    });
    await subscriber.subscribe(API_KEY_REVOKED_CHANNEL);
  });

  afterAll(async () => {
    subscriber?.disconnect();
    await close?.();
    await dataSource?.destroy();
    await db?.drop();
  });

  async function vendorWithKeys(prefix: string): Promise<{ id: string; keys: string[] }> {
    const created = await vendors.create({ prefix, name: prefix });
    const second = await vendors.createApiKey(created.vendor.id);
    return { id: created.vendor.id, keys: [created.apiKey, second] };
  }

  it('lists a vendor’s keys by prefix and dates, never the key or its hash', async () => {
    const acme = await vendorWithKeys('APIA');
    await vendorWithKeys('APIB');
    const list = await vendors.listApiKeys(acme.id);
    expect(list).toHaveLength(2);
    expect(list.map((k) => k.displayPrefix)).toEqual(acme.keys.map((k) => k.slice(0, 12)));
    for (const key of list) {
      expect(key).toMatchObject({ vendorId: acme.id, lastUsedAt: null, revokedAt: null });
      expect(key.keyHash).toBeUndefined();
      for (const secret of acme.keys) expect(JSON.stringify(key)).not.toContain(secret.slice(12));
    }
    expect(await codeOf(vendors.listApiKeys('not-an-id'))).toBe('BAD_USER_INPUT');
  });

  it('revokes a key of the vendor: the row, api-key.revoked in the outbox and the announcement', async () => {
    const acme = await vendorWithKeys('APIC');
    const [first] = await vendors.listApiKeys(acme.id);
    const revoked = await vendors.revokeApiKey(acme.id, first!.id);
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(await vendors.resolveApiKey(acme.keys[0]!)).toBeNull();
    expect(await vendors.resolveApiKey(acme.keys[1]!)).not.toBeNull();

    const events = await outboxEvents<ApiKeyRevokedData>(dataSource, {
      types: ['api-key.revoked'],
      subject: first!.id,
    });
    expect(events).toEqual([
      {
        type: 'api-key.revoked',
        subject: first!.id,
        data: { apiKeyId: first!.id, vendorId: acme.id, prefix: first!.displayPrefix, revokedAt: expect.any(String) },
      },
    ]);
    // Published before revokeApiKey answered; delivered to this subscriber moments later.
    await new Promise((r) => setTimeout(r, 100));
    expect(announced.filter((a) => a.apiKeyId === first!.id)).toEqual([events[0]!.data]);

    // Again: nothing changes, no second event.
    const again = await vendors.revokeApiKey(acme.id, first!.id);
    expect(again.revokedAt).toEqual(revoked.revokedAt);
    expect(await outboxEvents(dataSource, { types: ['api-key.revoked'], subject: first!.id })).toHaveLength(1);
  });

  it('answers NOT_FOUND for another vendor’s key, and the operator revokes any', async () => {
    const acme = await vendorWithKeys('APID');
    const globex = await vendorWithKeys('APIE');
    const [acmeKey] = await vendors.listApiKeys(acme.id);
    expect(await codeOf(vendors.revokeApiKey(globex.id, acmeKey!.id))).toBe('NOT_FOUND');
    expect(await vendors.resolveApiKey(acme.keys[0]!)).not.toBeNull();
    expect(await codeOf(vendors.revokeApiKey(globex.id, '5d6f0c1e-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
    expect(await codeOf(vendors.revokeApiKey(globex.id, 'not-an-id'))).toBe('BAD_USER_INPUT');
    expect((await vendors.revokeApiKey(undefined, acmeKey!.id)).revokedAt).toBeInstanceOf(Date);
  });

  it('revokes once under parallel revocations', async () => {
    const acme = await vendorWithKeys('APIF');
    const [key] = await vendors.listApiKeys(acme.id);
    const results = await Promise.all(Array.from({ length: 10 }, () => vendors.revokeApiKey(acme.id, key!.id)));
    expect(new Set(results.map((r) => r.revokedAt?.toISOString())).size).toBe(1);
    expect(await outboxEvents(dataSource, { types: ['api-key.revoked'], subject: key!.id })).toHaveLength(1);
  });

  it('records the last use when the gateway resolves a key, at most once a minute', async () => {
    const acme = await vendorWithKeys('APIG');
    const lastUsed = async () =>
      (await row<{ last_used_at: Date | null }>(
        dataSource,
        `SELECT last_used_at FROM api_keys WHERE vendor_id = $1 AND display_prefix = $2`,
        [acme.id, acme.keys[0]!.slice(0, 12)],
      ))!.last_used_at;
    expect(await lastUsed()).toBeNull();
    await vendors.resolveApiKey(acme.keys[0]!);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await Promise.all(Array.from({ length: 5 }, () => vendors.resolveApiKey(acme.keys[0]!)));
    expect(await lastUsed()).toEqual(first);

    // A minute later the next lookup records again.
    await dataSource.query(
      `UPDATE api_keys SET last_used_at = last_used_at - interval '61 seconds' WHERE vendor_id = $1`,
      [acme.id],
    );
    const backdated = await lastUsed();
    await vendors.resolveApiKey(acme.keys[0]!);
    expect((await lastUsed())!.getTime()).toBeGreaterThan(backdated!.getTime());
    const [listed] = await vendors.listApiKeys(acme.id);
    expect(listed!.lastUsedAt).toEqual(await lastUsed());
  });
});
