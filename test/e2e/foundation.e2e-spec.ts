import { createHash } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { Topics } from '@licensing/events';
import { issueAccessToken, signIdentityHeader, IDENTITY_HEADER } from '@licensing/identity';
import { eventually } from '@licensing/testing';
import { contractOperation } from '../support/contract';
import { postGraphQL, startTestStack, TestStack } from '../support/stack';

describe('foundation, end to end through the gateway', () => {
  let stack: TestStack;
  let acme: { id: string; apiKey: string };
  let globex: { id: string; apiKey: string };

  beforeAll(async () => {
    stack = await startTestStack();
    const create = async (prefix: string, name: string) => {
      const res = await stack.call(contractOperation('CreateVendor'), { input: { prefix, name } }, stack.operatorToken);
      expect(res.errors).toBeUndefined();
      return { id: res.data!['createVendor'].vendor.id as string, apiKey: res.data!['createVendor'].apiKey as string };
    };
    acme = await create('acme', 'Acme Software');
    globex = await create('GLBX', 'Globex');
  });

  afterAll(async () => {
    await stack?.close();
  });

  describe('operator: CreateVendor and Vendors', () => {
    it('creates a vendor with an upper-cased prefix and shows its API key once', async () => {
      const res = await stack.call(contractOperation('Vendors'), {}, stack.operatorToken);
      expect(res.data!['vendors']).toEqual(
        expect.arrayContaining([
          { id: acme.id, prefix: 'ACME', name: 'Acme Software' },
          { id: globex.id, prefix: 'GLBX', name: 'Globex' },
        ]),
      );
      expect(acme.apiKey).toMatch(/^lk_acme_[A-Za-z0-9_-]{43}$/);
      const db = new Client({ connectionString: stack.subgraphs.keys.database.url });
      await db.connect();
      try {
        const stored = await db.query<{ key_hash: string }>('SELECT key_hash FROM api_keys WHERE vendor_id = $1', [
          acme.id,
        ]);
        expect(stored.rows).toHaveLength(1);
        expect(stored.rows[0]!.key_hash).toBe(createHash('sha256').update(acme.apiKey).digest('hex'));
      } finally {
        await db.end();
      }
    });

    it('refuses a bad prefix naming the field, and creates nothing', async () => {
      for (const prefix of ['AB1C', 'ABC', 'ABCDE', 'ÄBCD']) {
        const res = await stack.call(
          contractOperation('CreateVendor'),
          { input: { prefix, name: 'X' } },
          stack.operatorToken,
        );
        expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.prefix' });
      }
      const dup = await stack.call(
        contractOperation('CreateVendor'),
        { input: { prefix: 'Acme', name: 'Again' } },
        stack.operatorToken,
      );
      expect(dup.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.prefix' });
      const vendors = await stack.call<{ vendors: { prefix: string }[] }>(
        contractOperation('Vendors'),
        {},
        stack.operatorToken,
      );
      expect(vendors.data!.vendors.map((v) => v.prefix).sort()).toEqual(['ACME', 'GLBX']);
    });

    it('is the operator’s alone', async () => {
      const anonymous = await stack.call(contractOperation('Vendors'));
      expect(anonymous.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
      const vendor = await stack.call(
        contractOperation('CreateVendor'),
        { input: { prefix: 'EVIL', name: 'x' } },
        acme.apiKey,
      );
      expect(vendor.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    });

    it('issues further API keys to the operator and to the vendor itself, never across vendors', async () => {
      const mutation = 'mutation($id: ID!) { createApiKey(vendorId: $id) }';
      const byOperator = await stack.call<{ createApiKey: string }>(mutation, { id: acme.id }, stack.operatorToken);
      const second = byOperator.data!.createApiKey;
      expect(second).toMatch(/^lk_acme_/);
      expect(second).not.toBe(acme.apiKey);
      const products = await stack.call(contractOperation('Products'), {}, second);
      expect(products.errors).toBeUndefined();
      const bySelf = await stack.call(mutation, { id: acme.id }, acme.apiKey);
      expect(bySelf.errors).toBeUndefined();
      const across = await stack.call(mutation, { id: globex.id }, acme.apiKey);
      expect(across.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      const manager = issueAccessToken(
        stack.secrets.accessTokenSecret,
        { kind: 'staff', vendorId: acme.id, staffId: crypto.randomUUID(), role: 'MANAGER' },
        300,
      );
      expect((await stack.call(mutation, { id: acme.id }, manager.token)).errors?.[0]?.extensions?.['code']).toBe(
        'FORBIDDEN',
      );
    });

    it('announces the vendor on licensing.keys.v1 through the outbox', async () => {
      const kafka = new Kafka({
        clientId: 'e2e-probe',
        brokers: (await import('@licensing/testing').then((t) => t.testInfrastructure())).kafkaBrokers,
        logLevel: 1,
      });
      const consumer = kafka.consumer({ groupId: `e2e-probe-${Date.now()}` });
      const seen: { key: string; type: string; vendorId: string }[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic: `${stack.subgraphs.keys.topicPrefix}${Topics.keys}`, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const event = JSON.parse(message.value!.toString()) as { type: string; vendorId: string };
          seen.push({ key: message.key!.toString(), type: event.type, vendorId: event.vendorId });
        },
      });
      try {
        await eventually(() => seen.some((e) => e.type === 'vendor.created' && e.vendorId === acme.id), {
          what: 'vendor.created',
          timeoutMs: 20_000,
        });
        expect(seen.find((e) => e.vendorId === acme.id)!.key).toBe(acme.id);
      } finally {
        await consumer.disconnect();
      }
    });
  });

  describe('vendor catalogue: CreateProduct and Products', () => {
    it('creates products for the caller’s vendor only', async () => {
      const core = await stack.call(
        contractOperation('CreateProduct'),
        { input: { code: 'PBX', name: 'PBX core', licenseModel: 'HOST_BINDING' } },
        acme.apiKey,
      );
      expect(core.errors).toBeUndefined();
      expect(core.data!['createProduct']).toMatchObject({ code: 'PBX', trialDays: 30, requires: null });
      const module = await stack.call(
        contractOperation('CreateProduct'),
        {
          input: {
            code: 'CRM',
            name: 'CRM module',
            licenseModel: 'CONCURRENT_HOSTS',
            trialDays: 14,
            requiresProductCode: 'PBX',
          },
        },
        acme.apiKey,
      );
      expect(module.data!['createProduct']).toMatchObject({ code: 'CRM', trialDays: 14, requires: { code: 'PBX' } });

      const mine = await stack.call<{ products: { code: string }[] }>(contractOperation('Products'), {}, acme.apiKey);
      expect(mine.data!.products.map((p) => p.code)).toEqual(['CRM', 'PBX']);
      const theirs = await stack.call<{ products: { code: string }[] }>(
        contractOperation('Products'),
        {},
        globex.apiKey,
      );
      expect(theirs.data!.products).toEqual([]);
    });

    it('never resolves another vendor’s product, and the same code is free per vendor', async () => {
      const crossRequire = await stack.call(
        contractOperation('CreateProduct'),
        { input: { code: 'ADDON', name: 'x', licenseModel: 'HOST_BINDING', requiresProductCode: 'PBX' } },
        globex.apiKey,
      );
      expect(crossRequire.errors?.[0]?.extensions).toMatchObject({
        code: 'NOT_FOUND',
        field: 'input.requiresProductCode',
      });
      const sameCode = await stack.call(
        contractOperation('CreateProduct'),
        { input: { code: 'PBX', name: 'Globex PBX', licenseModel: 'CONCURRENT_SESSIONS' } },
        globex.apiKey,
      );
      expect(sameCode.errors).toBeUndefined();
      const dup = await stack.call(
        contractOperation('CreateProduct'),
        { input: { code: 'PBX', name: 'again', licenseModel: 'HOST_BINDING' } },
        acme.apiKey,
      );
      expect(dup.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.code' });
    });

    it('refuses bad input naming each field', async () => {
      const res = await stack.call(
        contractOperation('CreateProduct'),
        { input: { code: 'has space', name: '', licenseModel: 'HOST_BINDING', trialDays: 0 } },
        acme.apiKey,
      );
      expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toMatch(/input\.code/);
      expect(res.errors?.[0]?.message).toMatch(/input\.name/);
      expect(res.errors?.[0]?.message).toMatch(/input\.trialDays/);
      const bogusModel = await stack.call(
        contractOperation('CreateProduct'),
        { input: { code: 'A', name: 'A', licenseModel: 'PER_SEAT' } },
        acme.apiKey,
      );
      expect(bogusModel.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    });
  });

  describe('identity', () => {
    it('accepts staff access tokens for their vendor and refuses client tokens on vendor operations', async () => {
      const staff = issueAccessToken(
        stack.secrets.accessTokenSecret,
        { kind: 'staff', vendorId: globex.id, staffId: crypto.randomUUID(), role: 'MANAGER' },
        300,
      );
      const res = await stack.call<{ products: { code: string }[] }>(contractOperation('Products'), {}, staff.token);
      expect(res.data!.products.map((p) => p.code)).toEqual(['PBX']);
      const client = issueAccessToken(
        stack.secrets.accessTokenSecret,
        { kind: 'client', vendorId: globex.id, keyId: crypto.randomUUID(), keyCode: 'GLBX-X' },
        300,
      );
      const refused = await stack.call(contractOperation('Products'), {}, client.token);
      expect(refused.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    });

    it('refuses tokens that match nothing instead of treating the caller as anonymous', async () => {
      for (const token of ['lk_acme_not-a-real-key-0000000000000000', 'a.b.c', stack.operatorToken + 'x']) {
        const res = await stack.call(contractOperation('Products'), {}, token);
        expect(res.status).toBe(401);
        expect(res.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
      }
      const forged = issueAccessToken(
        'another-secret-another-secret-another-secret',
        { kind: 'staff', vendorId: acme.id, staffId: 's', role: 'OWNER' },
        300,
      );
      expect((await stack.call(contractOperation('Products'), {}, forged.token)).status).toBe(401);
    });

    it('lets subgraphs answer only requests the gateway signed', async () => {
      const url = stack.subgraphs.keys.graphqlUrl;
      const unsigned = await postGraphQL(url, { query: '{ vendors { id } }' });
      expect(unsigned.status).toBe(401);
      const foreign = signIdentityHeader('a-different-secret-a-different-secret-0000', {
        identity: { kind: 'operator' },
        requestId: 'r',
        clientIp: '',
      });
      expect(
        (await postGraphQL(url, { query: '{ vendors { id } }' }, undefined, { [IDENTITY_HEADER]: foreign })).status,
      ).toBe(401);
      const genuine = signIdentityHeader(stack.secrets.identitySigningSecret, {
        identity: { kind: 'operator' },
        requestId: 'r',
        clientIp: '',
      });
      const ok = await postGraphQL<{ vendors: unknown[] }>(url, { query: '{ vendors { id } }' }, undefined, {
        [IDENTITY_HEADER]: genuine,
      });
      expect(ok.data?.vendors.length).toBeGreaterThanOrEqual(2);
    });

    it('puts a request id on every response and error', async () => {
      const res = await stack.call('{ __typename }');
      expect(res.data).toEqual({ __typename: 'Query' });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const given = await stack.call(contractOperation('Vendors'), {}, undefined, {
        'x-request-id': 'support-ticket-4711',
      });
      expect(given.headers.get('x-request-id')).toBe('support-ticket-4711');
      expect(given.errors?.[0]?.extensions?.['requestId']).toBe('support-ticket-4711');
    });
  });

  describe('gateway limits', () => {
    const nested = (depth: number) => `{ products { ${'requires { '.repeat(depth)}code${' }'.repeat(depth)} } }`;

    it('refuses queries deeper than the limit', async () => {
      expect((await stack.call(nested(5), {}, acme.apiKey)).errors).toBeUndefined();
      const deep = await stack.call(nested(20), {}, acme.apiKey);
      expect(deep.status).toBe(400);
      expect(deep.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 12 });
    });

    it('refuses alias abuse and batches', async () => {
      const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: __typename`).join(' ');
      const res = await stack.call(`{ ${aliases} }`, {}, acme.apiKey);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', aliases: 40 });
      const batch = await postGraphQL(stack.gatewayUrl, [{ query: '{ __typename }' }, { query: '{ __typename }' }]);
      expect(batch.status).toBe(400);
    });

    it('refuses queries over the cost limit, counting list sizes', async () => {
      const cheap = await stack.extraGateway({ MAX_QUERY_COST: '15' });
      try {
        expect((await postGraphQL(cheap.url, { query: '{ products { code } }' }, acme.apiKey)).errors).toBeUndefined();
        const costly = await postGraphQL(
          cheap.url,
          { query: '{ products { code name trialDays requires { code name } } }' },
          acme.apiKey,
        );
        expect(costly.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 15 });
      } finally {
        await cheap.close();
      }
    });

    it('keeps introspection off unless configured', async () => {
      const query = '{ __schema { queryType { name } } }';
      expect((await stack.call(query, {}, acme.apiKey)).errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      const open = await stack.extraGateway({ GRAPHQL_INTROSPECTION: 'true' });
      try {
        expect((await postGraphQL(open.url, { query }, acme.apiKey)).data).toEqual({
          __schema: { queryType: { name: 'Query' } },
        });
      } finally {
        await open.close();
      }
    });

    it('hides field suggestions in production', async () => {
      const typo = '{ prodcts { code } }';
      expect((await stack.call(typo, {}, acme.apiKey)).errors?.[0]?.message).toMatch(/Did you mean/);
      const prod = await stack.extraGateway({ NODE_ENV: 'production' });
      try {
        expect((await postGraphQL(prod.url, { query: typo }, acme.apiKey)).errors?.[0]?.message).not.toMatch(
          /Did you mean/,
        );
      } finally {
        await prod.close();
      }
    });

    it('rate-limits token-less application requests per address, in Redis', async () => {
      const limited = await stack.extraGateway({
        APP_RATE_LIMIT_PER_MINUTE: '3',
        RATE_LIMIT_NAMESPACE: `e2e-${Date.now()}`,
      });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 5; i++) statuses.push((await postGraphQL(limited.url, { query: '{ __typename }' })).status);
        expect(statuses).toEqual([200, 200, 200, 429, 429]);
        const refused = await postGraphQL(limited.url, { query: '{ __typename }' });
        expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
        expect(refused.errors?.[0]?.extensions?.['retryAfterSeconds']).toBeGreaterThan(0);
        // Authenticated vendors are not held by the application limit.
        expect((await postGraphQL(limited.url, { query: '{ __typename }' }, acme.apiKey)).status).toBe(200);
      } finally {
        await limited.close();
      }
    });
  });

  describe('health', () => {
    it('reports every subgraph and the gateway ready, with their dependencies', async () => {
      for (const subgraph of Object.values(stack.subgraphs)) {
        const res = await fetch(`${subgraph.baseUrl}/health`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { checks: Record<string, { status: string }> };
        expect(Object.keys(body.checks)).toEqual(expect.arrayContaining(['database', 'redis', 'kafka-outbox']));
        expect(Object.values(body.checks).every((c) => c.status === 'up')).toBe(true);
      }
      const gateway = await fetch(stack.gatewayUrl.replace('/graphql', '/health'));
      expect(gateway.status).toBe(200);
    });
  });
});
