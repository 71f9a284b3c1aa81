import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { issueAccessToken, signIdentityHeader, IDENTITY_HEADER } from '@licensing/identity';
import {
  composeTestSupergraph,
  FakeKeysApi,
  post,
  REDIS_URL,
  RunningGateway,
  secret,
  startFakeKeysApi,
  startGateway,
  startTestSubgraph,
  TestSubgraph,
} from './support';

/**
 * The real gateway application in this process, against two real federation subgraphs and
 * a fake of the keys service's API-key endpoint, all on free ports, with real Redis.
 */
describe('gateway (in process, real subgraphs and Redis)', () => {
  const identitySecret = secret();
  const accessSecret = secret();
  const operatorToken = `op_${randomBytes(24).toString('hex')}`;
  const apiKey = `lk_acme_${randomBytes(32).toString('base64url')}`;
  let supergraph: ReturnType<typeof composeTestSupergraph>;
  let keys: TestSubgraph;
  let coupons: TestSubgraph;
  let keysApi: FakeKeysApi;
  let gateway: RunningGateway;
  const extras: RunningGateway[] = [];

  const env = (overrides: Record<string, string> = {}) => ({
    OPERATOR_TOKEN: operatorToken,
    IDENTITY_SIGNING_SECRET: identitySecret,
    ACCESS_TOKEN_SECRET: accessSecret,
    REDIS_URL,
    KEYS_URL: keys.url,
    COUPONS_URL: coupons.url,
    // Never called: nothing in these tests is resolved by the two placeholder subgraphs.
    SESSIONS_URL: 'http://127.0.0.1:9/graphql',
    NOTIFICATIONS_URL: 'http://127.0.0.1:9/graphql',
    KEYS_INTERNAL_URL: keysApi.url,
    SUPERGRAPH_PATH: supergraph.path,
    RATE_LIMIT_NAMESPACE: `test-${randomUUID()}`,
    ...overrides,
  });

  /** Another gateway on the same subgraphs, with config overrides; closed after all tests. */
  async function gatewayWith(overrides: Record<string, string>): Promise<RunningGateway> {
    const g = await startGateway(env(overrides));
    extras.push(g);
    return g;
  }

  const call = (query: string, token?: string, headers?: Record<string, string>, variables?: Record<string, unknown>) =>
    post<any>(gateway.url, { query, variables }, token, headers);

  beforeAll(async () => {
    supergraph = composeTestSupergraph();
    [keys, coupons, keysApi] = await Promise.all([
      startTestSubgraph('keys', identitySecret),
      startTestSubgraph('coupons', identitySecret),
      startFakeKeysApi(identitySecret),
    ]);
    keysApi.keys.set(apiKey, { vendorId: 'vendor-acme', apiKeyId: 'apikey-1' });
    gateway = await startGateway(env());
  });

  afterAll(async () => {
    await Promise.all(extras.map((g) => g.close()));
    await gateway?.close();
    await Promise.all([keys?.stop(), coupons?.stop(), keysApi?.stop()]);
    supergraph?.remove();
  });

  const WHOAMI = '{ whoami { kind vendorId apiKeyId staffId role keyId requestId clientIp } }';

  describe('authentication and the identity header', () => {
    it('passes the operator token on as the operator identity', async () => {
      const res = await call(WHOAMI, operatorToken);
      expect(res.errors).toBeUndefined();
      expect(res.data.whoami).toMatchObject({ kind: 'operator', vendorId: null });
      expect(res.data.whoami.requestId).toBe(res.headers.get('x-request-id'));
      expect(res.data.whoami.clientIp).toMatch(/127\.0\.0\.1/);
    });

    it('passes a staff access token on as the staff identity, verified locally', async () => {
      const before = keysApi.calls;
      const { token } = issueAccessToken(
        accessSecret,
        { kind: 'staff', vendorId: 'vendor-acme', staffId: 'staff-7', role: 'MANAGER' },
        300,
      );
      const res = await call(WHOAMI, token);
      expect(res.data.whoami).toMatchObject({
        kind: 'staff',
        vendorId: 'vendor-acme',
        staffId: 'staff-7',
        role: 'MANAGER',
      });
      const client = issueAccessToken(
        accessSecret,
        { kind: 'client', vendorId: 'vendor-acme', keyId: 'key-3', keyCode: 'ACME-1' },
        300,
      );
      expect((await call(WHOAMI, client.token)).data.whoami).toMatchObject({ kind: 'client', keyId: 'key-3' });
      expect(keysApi.calls).toBe(before);
    });

    it('resolves a vendor API key through the keys service, once, then from the cache', async () => {
      const fresh = `lk_acme_${randomBytes(32).toString('base64url')}`;
      keysApi.keys.set(fresh, { vendorId: 'vendor-acme', apiKeyId: 'apikey-2' });
      const before = keysApi.calls;
      keysApi.delayMs = 100;
      try {
        // Concurrent requests with a key nobody has looked up yet share one lookup.
        const replies = await Promise.all(Array.from({ length: 8 }, () => call(WHOAMI, fresh)));
        for (const res of replies) {
          expect(res.data.whoami).toMatchObject({ kind: 'vendor', vendorId: 'vendor-acme', apiKeyId: 'apikey-2' });
        }
        expect(keysApi.calls - before).toBe(1);
      } finally {
        keysApi.delayMs = 0;
      }
      expect((await call(WHOAMI, fresh)).data.whoami.kind).toBe('vendor');
      expect(keysApi.calls - before).toBe(1);
      expect(keysApi.refused).toBe(0);
    });

    it('signs the identity header for every subgraph of a federated query', async () => {
      const res = await call(
        '{ node(id: "n1") { name seenBy { kind vendorId apiKeyId } } couponsWhoami { kind } }',
        apiKey,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({
        node: { name: 'node n1', seenBy: { kind: 'vendor', vendorId: 'vendor-acme', apiKeyId: 'apikey-1' } },
        couponsWhoami: { kind: 'vendor' },
      });
    });

    it('treats a request without a token as an application', async () => {
      expect((await call(WHOAMI)).data.whoami).toMatchObject({ kind: 'application', vendorId: null });
    });

    it('refuses tokens that match nothing with UNAUTHENTICATED instead of treating the caller as anonymous', async () => {
      const unknownKey = `lk_acme_${randomBytes(32).toString('base64url')}`;
      const foreignJwt = issueAccessToken(
        secret(),
        { kind: 'staff', vendorId: 'v', staffId: 's', role: 'OWNER' },
        300,
      ).token;
      const expired = issueAccessToken(
        accessSecret,
        { kind: 'staff', vendorId: 'v', staffId: 's', role: 'OWNER' },
        60,
        Date.now() - 600_000,
      ).token;
      const accepted = keys.accepted;
      for (const token of [unknownKey, `${operatorToken}x`, foreignJwt, expired, 'a.b.c', 'short']) {
        const res = await call(WHOAMI, token);
        expect(res.status).toBe(401);
        expect(res.data).toBeUndefined();
        expect(res.errors?.[0]?.extensions).toMatchObject({
          code: 'UNAUTHENTICATED',
          requestId: res.headers.get('x-request-id'),
        });
        expect(JSON.stringify(res.errors)).not.toContain(token);
      }
      const basic = await post(gateway.url, { query: WHOAMI }, undefined, { authorization: 'Basic dXNlcjpwYXNz' });
      expect(basic.status).toBe(401);
      expect(keys.accepted).toBe(accepted);
    });

    it('remembers unknown API keys briefly, so retries do not reach the keys service', async () => {
      const unknownKey = `lk_acme_${randomBytes(32).toString('base64url')}`;
      const before = keysApi.calls;
      for (let i = 0; i < 3; i++) expect((await call(WHOAMI, unknownKey)).status).toBe(401);
      expect(keysApi.calls - before).toBe(1);
    });

    it('answers 503 without admitting anyone when the keys service cannot be asked', async () => {
      const isolated = await gatewayWith({ KEYS_INTERNAL_URL: 'http://127.0.0.1:9' });
      const res = await post(isolated.url, { query: WHOAMI }, apiKey);
      expect(res.status).toBe(503);
      expect(res.errors?.[0]?.extensions?.['code']).toBe('INTERNAL_SERVER_ERROR');
      expect(res.errors?.[0]?.message).toMatch(/^Authentication is unavailable \(request id [0-9a-f-]{36}\)$/);
    });
  });

  describe('the subgraphs trust only the gateway', () => {
    it('refuses a direct call without the identity header', async () => {
      const accepted = keys.accepted;
      const res = await post(keys.url, { query: '{ whoami { kind } }' });
      expect(res.status).toBe(401);
      expect(res.data).toBeUndefined();
      expect(keys.accepted).toBe(accepted);
    });

    it('refuses a forged or tampered header', async () => {
      const forged = signIdentityHeader(secret(), { identity: { kind: 'operator' }, requestId: 'r-1', clientIp: '' });
      expect(
        (await post(keys.url, { query: '{ whoami { kind } }' }, undefined, { [IDENTITY_HEADER]: forged })).status,
      ).toBe(401);
      const genuine = signIdentityHeader(identitySecret, {
        identity: { kind: 'application' },
        requestId: 'r-2',
        clientIp: '',
      });
      const [body, mac] = genuine.split('.') as [string, string];
      const elevated = Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), id: { kind: 'operator' } }),
      ).toString('base64url');
      expect(
        (await post(keys.url, { query: '{ whoami { kind } }' }, undefined, { [IDENTITY_HEADER]: `${elevated}.${mac}` }))
          .status,
      ).toBe(401);
      const ok = await post(keys.url, { query: '{ whoami { kind } }' }, undefined, { [IDENTITY_HEADER]: genuine });
      expect(ok.data).toEqual({ whoami: { kind: 'application' } });
    });

    it('refuses the API-key endpoint to anyone but the gateway', async () => {
      const res = await fetch(`${keysApi.url}/internal/api-keys/resolve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiKey }),
      });
      expect(res.status).toBe(401);
    });
  });

  describe('limits', () => {
    const chain = (n: number) => `{ node(id: "n") { ${'child { '.repeat(n)}name${' }'.repeat(n)} } }`;

    it('refuses queries deeper than the limit', async () => {
      expect((await call(chain(9), operatorToken)).errors).toBeUndefined(); // depth 11
      const res = await call(chain(12), operatorToken); // depth 14
      expect(res.status).toBe(400);
      expect(res.data).toBeUndefined();
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', depth: 14, limit: 12 });
    });

    it('refuses queries over the cost limit, counting list sizes', async () => {
      expect((await call('{ nodes(first: 100) { name child { name } } }', operatorToken)).errors).toBeUndefined();
      const res = await call('{ nodes(first: 2000) { name child { name child { name } } } }', operatorToken);
      expect(res.status).toBe(400);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 5000 });
      expect(res.errors?.[0]?.extensions?.['cost']).toBeGreaterThan(5000);
    });

    it('refuses too many aliases', async () => {
      const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(' ');
      const res = await call(`{ ${aliases} }`, operatorToken);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', aliases: 31, limit: 30 });
    });

    it('refuses batched requests with a clear error', async () => {
      const res = await post(gateway.url, [{ query: '{ __typename }' }, { query: '{ __typename }' }], operatorToken);
      expect(res.status).toBe(400);
      expect(res.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/one operation per HTTP request/),
        extensions: { code: 'BAD_USER_INPUT', requestId: res.headers.get('x-request-id') },
      });
    });

    it('lets only the operator introspect outside production, nobody in production unless GRAPHQL_INTROSPECTION=true', async () => {
      const query = '{ __schema { queryType { name } } }';
      // Development and test: the operator may (the sandbox's schema comes from here) ...
      expect((await call(query, operatorToken)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
      // ... anyone else may not: a vendor's key, or no token at all.
      const refused = await call(query, apiKey);
      expect(refused.status).toBe(403);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
      expect((await call('{ __type(name: "Node") { name } }')).errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');

      // Production: not even the operator.
      const prod = await gatewayWith({ NODE_ENV: 'production' });
      const prodRefused = await post<any>(prod.url, { query }, operatorToken);
      expect(prodRefused.status).toBe(403);
      expect(prodRefused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });

      const open = await gatewayWith({ GRAPHQL_INTROSPECTION: 'true', NODE_ENV: 'production' });
      expect((await post(open.url, { query }, apiKey)).data).toEqual({
        __schema: { queryType: { name: 'Query' } },
      });
    });

    it('serves the sandbox page to a browser outside production, and no page in production', async () => {
      const browser = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
      const dev = await fetch(gateway.url, { headers: browser });
      expect(dev.status).toBe(200);
      expect(dev.headers.get('content-type')).toMatch(/text\/html/);
      const page = await dev.text();
      expect(page).toMatch(/<!DOCTYPE html>/i);
      expect(page).toMatch(/sandbox/i);

      const prod = await gatewayWith({ NODE_ENV: 'production' });
      const none = await fetch(prod.url, { headers: browser });
      expect(none.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
      const body = await none.text();
      expect(body).not.toMatch(/<html|sandbox/i);
      expect(none.status).toBe(400);
    });

    it('hides field suggestions in production', async () => {
      const typo = '{ whoam { kind } }';
      expect((await call(typo, operatorToken)).errors?.[0]?.message).toMatch(/Did you mean "whoami"\?/);
      const prod = await gatewayWith({ NODE_ENV: 'production' });
      const res = await post(prod.url, { query: typo }, operatorToken);
      expect(res.errors?.[0]?.message).toBe('Cannot query field "whoam" on type "Query".');
      expect(res.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    });

    it('rate-limits token-less requests per client address, in Redis', async () => {
      const namespace = `test-${randomUUID()}`;
      const limited = await gatewayWith({ APP_RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_NAMESPACE: namespace });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await post(limited.url, { query: '{ __typename }' })).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);

      const refused = await post(limited.url, { query: '{ whoami { kind } }' });
      expect(refused.errors?.[0]?.extensions).toMatchObject({
        code: 'RATE_LIMITED',
        requestId: refused.headers.get('x-request-id'),
      });
      const retryAfter = refused.errors?.[0]?.extensions?.['retryAfterSeconds'] as number;
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.headers.get('retry-after')).toBe(String(retryAfter));

      // The window lives in Redis, shared by every gateway instance, with its expiry.
      const redis = new Redis(REDIS_URL);
      try {
        const keysInRedis = await redis.keys(`ratelimit:${namespace}:app:*`);
        expect(keysInRedis).toHaveLength(1);
        expect(Number(await redis.get(keysInRedis[0]!))).toBe(6);
        const ttl = await redis.pttl(keysInRedis[0]!);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(60_000);
        const twin = await gatewayWith({ APP_RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_NAMESPACE: namespace });
        expect((await post(twin.url, { query: '{ __typename }' })).status).toBe(429);
      } finally {
        redis.disconnect();
      }

      // Authenticated callers are not held by the application limit.
      expect((await post(limited.url, { query: '{ __typename }' }, operatorToken)).status).toBe(200);
      expect((await post(limited.url, { query: '{ __typename }' }, apiKey)).status).toBe(200);
    });

    it('counts per client address, as named by a listed proxy (TRUST_PROXY)', async () => {
      const limited = await gatewayWith({ APP_RATE_LIMIT_PER_MINUTE: '1', TRUST_PROXY: '127.0.0.1' });
      const from = (ip: string) => post<any>(limited.url, { query: WHOAMI }, undefined, { 'x-forwarded-for': ip });
      const first = await from('203.0.113.7');
      expect(first.data.whoami).toMatchObject({ kind: 'application', clientIp: '203.0.113.7' });
      expect((await from('203.0.113.7')).status).toBe(429);
      expect((await from('203.0.113.8')).status).toBe(200);

      // Without trusted proxies the header is ignored: a client cannot pick its own bucket.
      const direct = await gatewayWith({ APP_RATE_LIMIT_PER_MINUTE: '1', TRUST_PROXY: 'false' });
      expect(
        (await post(direct.url, { query: '{ __typename }' }, undefined, { 'x-forwarded-for': '198.51.100.1' })).status,
      ).toBe(200);
      expect(
        (await post(direct.url, { query: '{ __typename }' }, undefined, { 'x-forwarded-for': '198.51.100.2' })).status,
      ).toBe(429);
    });

    it('ignores X-Forwarded-For from a peer that is not a listed proxy: the subgraphs see the peer', async () => {
      const seen = async (url: string, forwarded: string) =>
        (await post<any>(url, { query: WHOAMI }, operatorToken, { 'x-forwarded-for': forwarded })).data.whoami
          .clientIp as string;
      // The default trusts no proxy, loopback and private peers included.
      expect(gateway.config.TRUST_PROXY).toBe('');
      expect(await seen(gateway.url, '203.0.113.66')).toBe('127.0.0.1');
      // A list that does not hold the peer changes nothing.
      const elsewhere = await gatewayWith({ TRUST_PROXY: '10.0.0.0/8, fd00::/8' });
      expect(await seen(elsewhere.url, '203.0.113.66')).toBe('127.0.0.1');
      // A listed proxy names the client; what the client wrote in front of it is not believed.
      const proxied = await gatewayWith({ TRUST_PROXY: '127.0.0.1' });
      expect(await seen(proxied.url, '203.0.113.66')).toBe('203.0.113.66');
      expect(await seen(proxied.url, '6.6.6.6, 203.0.113.67')).toBe('203.0.113.67');
      // Proxies listed in a chain are skipped, up to the first address that is not listed.
      const chain = await gatewayWith({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' });
      expect(await seen(chain.url, '6.6.6.6, 203.0.113.68, 10.1.2.3')).toBe('203.0.113.68');
    });

    it('refuses to boot with a hop count or a name for TRUST_PROXY', async () => {
      for (const value of ['1', 'true', 'loopback']) {
        await expect(startGateway(env({ TRUST_PROXY: value }))).rejects.toThrow(/TRUST_PROXY/);
      }
    });

    it('counts concurrent token-less requests exactly', async () => {
      const limited = await gatewayWith({ APP_RATE_LIMIT_PER_MINUTE: '10' });
      // Its Redis connection is up before the burst (a cold one may fail open, by design).
      expect((await fetch(`${limited.baseUrl}/health`)).status).toBe(200);
      const statuses = await Promise.all(
        Array.from({ length: 25 }, () => post(limited.url, { query: '{ __typename }' }).then((r) => r.status)),
      );
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    });
  });

  describe('request ids and errors', () => {
    it('puts a request id on every response, accepting a well-formed one from the client', async () => {
      const res = await call('{ __typename }', operatorToken);
      expect(res.data).toEqual({ __typename: 'Query' });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

      const given = await call(WHOAMI, operatorToken, { 'x-request-id': 'support-ticket-4711' });
      expect(given.headers.get('x-request-id')).toBe('support-ticket-4711');
      expect(given.data.whoami.requestId).toBe('support-ticket-4711');

      for (const bad of ['short', 'has spaces in it', 'x'.repeat(65), 'semi;colon-123']) {
        const replaced = await call('{ __typename }', operatorToken, { 'x-request-id': bad });
        expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      }
      const health = await fetch(`${gateway.baseUrl}/health`);
      expect(health.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const malformed = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query": ',
      });
      expect(malformed.status).toBe(400);
      expect(malformed.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("passes a subgraph's domain error through with code, licensingCode and field", async () => {
      const res = await call('{ failDomain }', operatorToken, { 'x-request-id': 'req-domain-error-1' });
      expect(res.data).toEqual({ failDomain: null });
      expect(res.errors).toEqual([
        {
          message: 'All seats are bound to other hosts',
          path: ['failDomain'],
          extensions: {
            code: 'NO_FREE_LICENSE',
            licensingCode: 1051,
            field: 'input.host',
            requestId: 'req-domain-error-1',
          },
        },
      ]);
    });

    it("masks a subgraph's unexpected error to the request id", async () => {
      const res = await call('{ failPlain whoami { kind } }', operatorToken, { 'x-request-id': 'req-plain-error-1' });
      expect(res.data).toEqual({ failPlain: null, whoami: { kind: 'operator' } });
      expect(res.errors).toEqual([
        {
          message: 'Internal server error (request id req-plain-error-1)',
          path: ['failPlain'],
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-plain-error-1' },
        },
      ]);
      expect(JSON.stringify(res)).not.toMatch(/password|10\.1\.2\.3|stacktrace/);
    });

    it('masks an unreachable subgraph the same way', async () => {
      const broken = await gatewayWith({ COUPONS_URL: 'http://127.0.0.1:9/graphql' });
      const res = await post(broken.url, { query: '{ couponsWhoami { kind } }' }, operatorToken);
      expect(res.errors?.[0]?.extensions).toEqual({
        code: 'INTERNAL_SERVER_ERROR',
        requestId: res.headers.get('x-request-id'),
      });
      expect(res.errors?.[0]?.message).toBe(`Internal server error (request id ${res.headers.get('x-request-id')})`);
      expect(JSON.stringify(res)).not.toContain('ECONNREFUSED');
    });

    it('names the request id on validation errors too', async () => {
      const res = await call('{ nope }', operatorToken, { 'x-request-id': 'req-validation-1' });
      expect(res.errors?.[0]?.extensions).toMatchObject({
        code: 'GRAPHQL_VALIDATION_FAILED',
        requestId: 'req-validation-1',
      });
    });
  });

  describe('malformed requests get a coded 4xx, never a 5xx', () => {
    it('refuses an unknown operationName with 400', async () => {
      const res = await post<any>(
        gateway.url,
        { query: 'query A { whoami { kind } }', operationName: 'B' },
        operatorToken,
      );
      expect(res.status).toBe(400);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_RESOLUTION_FAILURE' });
      expect(res.errors?.[0]?.extensions?.['requestId']).toEqual(expect.any(String));
    });

    it('refuses two operations without an operationName with 400', async () => {
      const query = 'query A { whoami { kind } } query B { whoami { vendorId } }';
      const res = await post<any>(gateway.url, { query }, operatorToken);
      expect(res.status).toBe(400);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_RESOLUTION_FAILURE' });
    });

    it.each([
      ['a NUL in a variable', { q: 'x\u0000y' }, '$q', 'NUL'],
      ['a lone surrogate in a variable', { q: '\udc00' }, '$q', 'surrogate'],
    ])('refuses %s with BAD_USER_INPUT naming it', async (_, variables, field, word) => {
      const res = await post<any>(
        gateway.url,
        { query: 'query($q: ID!) { node(id: $q) { id } }', variables },
        operatorToken,
      );
      expect(res.status).toBe(400);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(res.errors?.[0]?.message).toContain(word);
    });

    it('refuses a subscription with 400: there are none', async () => {
      const res = await post<any>(gateway.url, { query: 'subscription { whoami { kind } }' }, operatorToken);
      expect(res.status).toBe(400);
      expect(res.errors?.[0]?.extensions).toMatchObject({
        code: expect.stringMatching(/BAD_REQUEST|GRAPHQL_VALIDATION_FAILED/),
      });
    });

    it('refuses persisted queries with a code, whatever hash they name', async () => {
      const res = await post<any>(
        gateway.url,
        { query: '{ whoami { kind } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } },
        operatorToken,
      );
      expect(res.status).toBeLessThan(500);
      expect(res.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
    });

    it('answers a gzip body that does not inflate with 400 BAD_REQUEST in GraphQL shape', async () => {
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          authorization: `Bearer ${operatorToken}`,
        },
        body: 'this is not gzip',
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { errors?: { extensions?: Record<string, unknown> }[] };
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_REQUEST', requestId: expect.any(String) });
    });

    it('refuses variables nested 20,000 deep with BAD_USER_INPUT, not a 500', async () => {
      const body = `{"query": "query($q: ID!) { node(id: $q) { id } }", "variables": {"q": ${'['.repeat(20_000)}${']'.repeat(20_000)}}}`;
      const res = await post<any>(gateway.url, body, operatorToken);
      expect(res.status).toBe(400);
      expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    });

    it('answers a body over the size limit with 413 in GraphQL error shape', async () => {
      const res = await post<any>(
        gateway.url,
        { query: `{ whoami { kind } } # ${'x'.repeat(2_000_000)}` },
        operatorToken,
      );
      expect(res.status).toBe(413);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
      expect(res.errors?.[0]?.extensions?.['requestId']).toEqual(expect.any(String));
    });
  });

  describe('health', () => {
    it('is ready when the supergraph is loaded and Redis answers', async () => {
      const res = await fetch(`${gateway.baseUrl}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        status: 'ok',
        checks: {
          supergraph: {
            status: 'up',
            subgraphs: expect.arrayContaining(['keys', 'coupons', 'sessions', 'notifications']),
          },
          redis: { status: 'up' },
        },
      });
    });

    it('reports Redis down and keeps serving, letting applications through (the limiter fails open)', async () => {
      const noRedis = await gatewayWith({ REDIS_URL: 'redis://127.0.0.1:9', APP_RATE_LIMIT_PER_MINUTE: '1' });
      const health = await fetch(`${noRedis.baseUrl}/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({
        status: 'unavailable',
        checks: { supergraph: { status: 'up' }, redis: { status: 'down' } },
      });
      for (let i = 0; i < 3; i++) {
        expect((await post(noRedis.url, { query: '{ whoami { kind } }' })).data).toEqual({
          whoami: { kind: 'application' },
        });
      }
    });
  });
});
