import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Identity, IDENTITY_HEADER, signIdentityHeader } from '@licensing/identity';
import { SubgraphModule } from '@licensing/platform';
import { createTestDatabase, TestDatabase, testInfrastructure } from '@licensing/testing';
import { keysMigrations } from '../database/migrations';
import { KEYS_ENTITIES } from '../src/app.module';
import { VendorModule } from '../src/vendor/vendor.module';
import { VendorService } from '../src/vendor/vendor.service';
import { testConfig } from './support';

/**
 * The gateway's API key lookup over HTTP, behind the subgraph's identity middleware and
 * access guard (no GatewayOnlyGuard of its own): only the gateway, signing as the operator,
 * gets an answer; the health probe needs no signature.
 */
describe('internal API key lookup', () => {
  const secret = 'lookup-test-signing-secret-0123456789abcdef';
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let vendor: { id: string; apiKey: string };

  const signed = (identity: Identity) => ({
    [IDENTITY_HEADER]: signIdentityHeader(secret, { identity, requestId: 'r', clientIp: '' }),
  });

  const lookup = (apiKey: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/internal/api-keys/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ apiKey }),
    });

  beforeAll(async () => {
    db = await createTestDatabase('keys_api_key_lookup');
    const { redisUrl } = await testInfrastructure();
    const config = testConfig({ DATABASE_URL: db.url, REDIS_URL: redisUrl, IDENTITY_SIGNING_SECRET: secret });
    const moduleRef = await Test.createTestingModule({
      imports: [
        SubgraphModule.forRoot({ service: 'keys', config, entities: KEYS_ENTITIES, migrations: keysMigrations }),
        VendorModule,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    const created = await app.get(VendorService).create({ prefix: 'LOOK', name: 'Lookup' });
    vendor = { id: created.vendor.id, apiKey: created.apiKey };
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('answers the gateway signing as the operator', async () => {
    const res = await lookup(vendor.apiKey, signed({ kind: 'operator' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ vendorId: vendor.id, apiKeyId: expect.any(String) });
    expect((await lookup(`${vendor.apiKey}x`, signed({ kind: 'operator' }))).status).toBe(404);
  });

  it('refuses unsigned requests, and signed ones of anyone but the operator', async () => {
    expect((await lookup(vendor.apiKey)).status).toBe(401);
    expect((await lookup(vendor.apiKey, { [IDENTITY_HEADER]: 'forged.header' })).status).toBe(401);
    expect((await lookup(vendor.apiKey, signed({ kind: 'vendor', vendorId: vendor.id, apiKeyId: 'k' }))).status).toBe(
      403,
    );
    expect((await lookup(vendor.apiKey, signed({ kind: 'application' }))).status).toBe(401);
  });

  it('guards every route but the health probe', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/graphql`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${base}/no-such-route`)).status).toBe(401);
    expect((await fetch(`${base}/no-such-route`, { headers: signed({ kind: 'operator' }) })).status).toBe(404);
  });
});
