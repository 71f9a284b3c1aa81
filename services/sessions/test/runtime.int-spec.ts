import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { LicenseRevoked, SESSION_END_REASONS } from '@licensing/events';
import { ErrorCode, LICENSING_CODES } from '@licensing/graphql';
import { redisPrefix, SessionsConfig } from '../src/config';
import { STANDING_REASONS } from '../src/read-model/license-standing';
import { ReadModelHandler } from '../src/read-model/read-model.handler';
import { RuntimeController, RUNTIME_STATUS, mountAhead, MAX_BODY_BYTES } from '../src/runtime/runtime.controller';
import { RuntimeModule } from '../src/runtime/runtime.module';
import { SessionsService } from '../src/sessions/sessions.service';
import { SessionsInstance, SessionsTestbed, testConfig, TestKey, TestVendor } from './sessions-testbed';

type Json = Record<string, any>;

interface Answer {
  method: string;
  path: string;
  status: number;
  headers: Headers;
  body: Json;
}

const openapi = JSON.parse(readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8')) as Json;

/** The runtime endpoint of one instance on a node:http server, behind the same dispatch the service uses. */
async function serve(instance: SessionsInstance): Promise<{ url: string; server: Server }> {
  const server = createServer();
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(418);
    res.end('not the runtime');
  });
  mountAhead(server, instance.get(RuntimeController).handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/**
 * The runtime endpoint (/runtime/v1/*) over real HTTP against a real database and Redis:
 * each operation, the GraphQL mutations' seat rules and coded errors, bad input that changes
 * nothing, the rate limit, and every answer checked against openapi.json.
 */
describe('runtime endpoint', () => {
  let testbed: SessionsTestbed;
  let acme: TestVendor;
  let url: string;
  let server: Server;
  const answers: Answer[] = [];

  async function send(method: string, path: string, body?: unknown, base = url): Promise<Answer> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const answer = { method, path, status: res.status, headers: res.headers, body: (await res.json()) as Json };
    answers.push(answer);
    return answer;
  }
  const post = (op: string, body: unknown, base?: string) => send('POST', `/runtime/v1/${op}`, body, base);

  const host = (fingerprint: string) => ({ fingerprint, name: fingerprint.toUpperCase(), os: 'Linux', ip: '10.0.0.1' });
  const acquireBody = (key: TestKey, productCode: string, fingerprint = 'pc-1') => ({
    keyCode: key.code,
    productCode,
    host: host(fingerprint),
    session: { infobase: 'Trade', user: 'anna', processId: '7' },
  });

  async function keyWith(productCode: string, seats: number): Promise<TestKey> {
    const key = await testbed.key(acme);
    await testbed.grant(acme, key, productCode, { seats });
    return key;
  }

  /** What a refused request must leave as it was: live sessions, recorded checks, session events. */
  async function footprint(key: TestKey, instance = testbed.main, config: SessionsConfig = testbed.config) {
    const [live, checks, events] = await Promise.all([
      instance.get(SessionsService).findLiveByKey({ vendorId: acme.id }, key.keyId),
      testbed.dataSource.query('SELECT count(*)::int AS n FROM license_checks'),
      instance.redis.xlen(`${redisPrefix(config)}:events`),
    ]);
    return { live: live.map((s) => s.sessionId).sort(), checks: checks[0].n as number, events };
  }

  beforeAll(async () => {
    testbed = await SessionsTestbed.start('sessions_runtime', [RuntimeModule], [ReadModelHandler], {
      config: { RUNTIME_RATE_LIMIT_PER_MINUTE: '100000' },
    });
    acme = await testbed.vendor('RTME', {
      DESK: 'CONCURRENT_SESSIONS',
      FILE: 'CONCURRENT_HOSTS',
      PBX: 'HOST_BINDING',
      OTHER: 'CONCURRENT_SESSIONS',
    });
    ({ url, server } = await serve(testbed.main));
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await testbed?.close();
  });

  describe('the operations', () => {
    it('acquires, heartbeats and releases a session; a replayed release or heartbeat gets 410 SESSION_ENDED', async () => {
      const key = await keyWith('DESK', 2);
      const acquired = await post('acquire', acquireBody(key, 'DESK'));
      expect(acquired.status).toBe(200);
      expect(acquired.body).toMatchObject({
        heartbeatIntervalSeconds: 60,
        token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        license: { kind: 'MAIN', seats: 2, product: { id: acme.products['DESK'], code: 'DESK' } },
      });
      const { sessionId } = acquired.body;
      expect((await footprint(key)).live).toEqual([sessionId]);

      const beat = await post('heartbeat', { sessionId });
      expect(beat.status).toBe(200);
      expect(beat.body).toMatchObject({
        sessionId,
        heartbeatIntervalSeconds: 60,
        token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      });
      expect(Date.parse(beat.body['expiresAt'])).toBeGreaterThanOrEqual(Date.parse(acquired.body['expiresAt']));
      // renewToken false: the session is extended, no new lease is signed.
      const kept = await post('heartbeat', { sessionId, renewToken: false });
      expect(kept).toMatchObject({ status: 200, body: { sessionId, token: null } });
      expect(Date.parse(kept.body['expiresAt'])).toBeGreaterThanOrEqual(Date.parse(beat.body['expiresAt']));
      expect(await post('heartbeat', { sessionId, renewToken: 'no' })).toMatchObject({
        status: 400,
        body: { error: { code: 'BAD_USER_INPUT', field: 'renewToken' } },
      });

      expect(await post('release', { sessionId })).toMatchObject({ status: 200, body: { released: true } });
      expect((await footprint(key)).live).toEqual([]);

      const before = await footprint(key);
      for (const op of ['release', 'heartbeat']) {
        expect(await post(op, { sessionId })).toMatchObject({
          status: 410,
          body: { error: { code: 'SESSION_ENDED', reason: 'RELEASED', field: 'sessionId' } },
        });
      }
      expect(await footprint(key)).toEqual(before);
    });

    it('checks a key, recording the check under a new request id', async () => {
      const key = await keyWith('DESK', 1);
      const before = await footprint(key);
      const answer = await post('check', { keyCode: key.code.toLowerCase(), productCode: 'DESK' });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ keyCode: key.code, productCode: 'DESK', active: true, reason: null });
      expect(answer.body['message']).toMatch(/^License active until \d\d\.\d\d\.\d{4}$/);
      const [stored] = await testbed.dataSource.query('SELECT key_code FROM license_checks WHERE request_id = $1', [
        answer.body['requestId'],
      ]);
      expect(stored).toEqual({ key_code: key.code });
      expect((await footprint(key)).checks).toBe(before.checks + 1);

      const inactive = await post('check', { keyCode: key.code, productCode: 'OTHER' });
      expect(inactive).toMatchObject({ status: 200, body: { active: false, reason: 'NO_LICENSE' } });
    });

    it('records each of many concurrent checks once, with its license.checked event (checks commit in batches)', async () => {
      const key = await keyWith('DESK', 1);
      const answers = await Promise.all(
        Array.from({ length: 60 }, () => post('check', { keyCode: key.code, productCode: 'DESK' })),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(60).fill(200));
      const ids = answers.map((a) => a.body['requestId'] as string);
      expect(new Set(ids).size).toBe(60);
      const [checks] = await testbed.dataSource.query(
        'SELECT count(*)::int AS n FROM license_checks WHERE request_id = ANY($1)',
        [ids],
      );
      const [events] = await testbed.dataSource.query(
        `SELECT count(*)::int AS n FROM outbox WHERE event_type = 'license.checked' AND payload->'data'->>'requestId' = ANY($1)`,
        [ids],
      );
      expect([checks.n, events.n]).toEqual([60, 60]);
    });

    it('keeps the GraphQL seat rules: 1051 when every seat is taken, a host shares its seat, a bound host gets in again', async () => {
      const desk = await keyWith('DESK', 2);
      expect((await post('acquire', acquireBody(desk, 'DESK', 'a'))).status).toBe(200);
      expect((await post('acquire', acquireBody(desk, 'DESK', 'a'))).status).toBe(200);
      const before = await footprint(desk);
      expect(await post('acquire', acquireBody(desk, 'DESK', 'b'))).toMatchObject({
        status: 409,
        body: { error: { code: 'NO_FREE_LICENSE', licensingCode: 1051, seats: 2 } },
      });
      expect(await footprint(desk)).toEqual(before);

      const file = await keyWith('FILE', 1);
      expect((await post('acquire', acquireBody(file, 'FILE', 'h1'))).status).toBe(200);
      expect((await post('acquire', acquireBody(file, 'FILE', 'h1'))).status).toBe(200);
      expect((await post('acquire', acquireBody(file, 'FILE', 'h2'))).body).toMatchObject({
        error: { licensingCode: 1051 },
      });

      const pbx = await keyWith('PBX', 1);
      const first = await post('acquire', acquireBody(pbx, 'PBX', 'server-1'));
      expect(first.status).toBe(200);
      await post('release', { sessionId: first.body['sessionId'] });
      expect((await post('acquire', acquireBody(pbx, 'PBX', 'server-1'))).status).toBe(200);
      expect((await post('acquire', acquireBody(pbx, 'PBX', 'server-2'))).body).toMatchObject({
        error: { code: 'NO_FREE_LICENSE', licensingCode: 1051 },
      });
    });

    it('never gives out more seats than there are to concurrent acquires', async () => {
      const key = await keyWith('DESK', 3);
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => post('acquire', acquireBody(key, 'DESK', `pc-${i}`))),
      );
      expect(answers.filter((a) => a.status === 200)).toHaveLength(3);
      expect(answers.filter((a) => a.status === 409)).toHaveLength(27);
      expect((await footprint(key)).live).toHaveLength(3);
    });

    it('answers 2008 (403) with the reason when the key has no license of the product in force', async () => {
      const key = await keyWith('DESK', 1);
      const before = await footprint(key);
      expect(await post('acquire', acquireBody(key, 'OTHER'))).toMatchObject({
        status: 403,
        body: {
          error: { code: 'LICENSE_NOT_ON_KEY', licensingCode: 2008, reason: 'NO_LICENSE', field: 'productCode' },
        },
      });
      expect(await footprint(key)).toEqual(before);
    });

    it('answers a retried acquire with the same idempotency key with the same session, another input with 409', async () => {
      const key = await keyWith('DESK', 1);
      const body = { ...acquireBody(key, 'DESK'), idempotencyKey: 'retry-0001' };
      const first = await post('acquire', body);
      expect(first.status).toBe(200);
      expect(await post('acquire', body)).toMatchObject({ status: 200, body: { sessionId: first.body['sessionId'] } });
      const before = await footprint(key);
      expect(await post('acquire', { ...body, host: host('elsewhere') })).toMatchObject({
        status: 409,
        body: { error: { code: 'CONFLICT' } },
      });
      expect(await footprint(key)).toEqual(before);
    });

    it('answers a heartbeat 2008 (403) once the license has run out, and 410 after that', async () => {
      const key = await testbed.key(acme);
      await testbed.grant(acme, key, 'DESK', { seats: 1, expiresAt: new Date(Date.now() + 1_500).toISOString() });
      const { body } = await post('acquire', acquireBody(key, 'DESK'));
      await new Promise((resolve) => setTimeout(resolve, 1_600));
      expect(await post('heartbeat', { sessionId: body['sessionId'] })).toMatchObject({
        status: 403,
        body: { error: { code: 'LICENSE_NOT_ON_KEY', licensingCode: 2008, reason: 'EXPIRED' } },
      });
      expect(await post('heartbeat', { sessionId: body['sessionId'] })).toMatchObject({
        status: 410,
        body: { error: { code: 'SESSION_ENDED', reason: 'LICENSE_INACTIVE' } },
      });
      expect((await footprint(key)).live).toEqual([]);
    });

    it('answers a heartbeat 410 once the license is revoked (its sessions end at once)', async () => {
      const key = await testbed.key(acme);
      const granted = await testbed.grant(acme, key, 'DESK', { seats: 1 });
      const { body } = await post('acquire', acquireBody(key, 'DESK'));
      await testbed.deliver(testbed.licenseEvent(LicenseRevoked, acme, key, 'DESK', granted));
      expect(await post('heartbeat', { sessionId: body['sessionId'] })).toMatchObject({
        status: 410,
        body: { error: { code: 'SESSION_ENDED', reason: 'LICENSE_INACTIVE' } },
      });
    });

    it('publishes the vendor JWKS that names the key of its signed leases; none for a vendor that signed nothing', async () => {
      const key = await keyWith('DESK', 1);
      const { body: lease } = await post('acquire', acquireBody(key, 'DESK'));
      const jwks = await send('GET', '/runtime/v1/jwks/rtme');
      expect(jwks.status).toBe(200);
      expect(jwks.headers.get('cache-control')).toMatch(/max-age=\d+/);
      const kid = JSON.parse(Buffer.from((lease['token'] as string).split('.')[0]!, 'base64url').toString())['kid'];
      expect(jwks.body['keys'].map((k: Json) => k['kid'])).toContain(kid);
      expect(await send('GET', '/runtime/v1/jwks/ZZZZ')).toMatchObject({ status: 200, body: { keys: [] } });
      expect(await send('GET', '/runtime/v1/jwks/not-a-prefix')).toMatchObject({
        status: 400,
        body: { error: { code: 'BAD_USER_INPUT', field: 'vendorPrefix' } },
      });
    });
  });

  describe('bad input gets its coded error, naming the field, and changes nothing', () => {
    let key: TestKey;
    beforeAll(async () => {
      key = await keyWith('DESK', 5);
    });

    const long = (n: number) => 'x'.repeat(n);
    const acquireCases: [string, (body: Json) => unknown, number, string, string | undefined][] = [
      ['a malformed key code', (b) => ({ ...b, keyCode: 'NOT-A-KEY' }), 400, 'BAD_USER_INPUT', 'keyCode'],
      ['an unknown key', (b) => ({ ...b, keyCode: 'RTME-00000-00000-00000-00000' }), 404, 'NOT_FOUND', 'keyCode'],
      ['an unknown product', (b) => ({ ...b, productCode: 'NOPE' }), 404, 'NOT_FOUND', 'productCode'],
      ['a key code that is not text', (b) => ({ ...b, keyCode: 42 }), 400, 'BAD_USER_INPUT', 'keyCode'],
      ['a missing product code', (b) => ({ ...b, productCode: undefined }), 400, 'BAD_USER_INPUT', 'productCode'],
      ['a missing host', (b) => ({ ...b, host: undefined }), 400, 'BAD_USER_INPUT', 'host'],
      ['a host that is not an object', (b) => ({ ...b, host: 'pc' }), 400, 'BAD_USER_INPUT', 'host'],
      [
        'a blank fingerprint',
        (b) => ({ ...b, host: { fingerprint: '  ' } }),
        400,
        'BAD_USER_INPUT',
        'host.fingerprint',
      ],
      [
        'an oversized fingerprint',
        (b) => ({ ...b, host: { fingerprint: long(257) } }),
        400,
        'BAD_USER_INPUT',
        'host.fingerprint',
      ],
      [
        'an oversized host name',
        (b) => ({ ...b, host: { fingerprint: 'f', name: long(257) } }),
        400,
        'BAD_USER_INPUT',
        'host.name',
      ],
      [
        'a host ip that is not text',
        (b) => ({ ...b, host: { fingerprint: 'f', ip: 10 } }),
        400,
        'BAD_USER_INPUT',
        'host.ip',
      ],
      [
        'an oversized infobase',
        (b) => ({ ...b, session: { infobase: long(257) } }),
        400,
        'BAD_USER_INPUT',
        'session.infobase',
      ],
      ['a session that is a list', (b) => ({ ...b, session: [] }), 400, 'BAD_USER_INPUT', 'session'],
      ['a NUL in the user', (b) => ({ ...b, session: { user: 'a\u0000b' } }), 400, 'BAD_USER_INPUT', 'session.user'],
      ['an unknown field', (b) => ({ ...b, seats: 100 }), 400, 'BAD_USER_INPUT', 'seats'],
      [
        'an unknown host field',
        (b) => ({ ...b, host: { fingerprint: 'f', mac: 'x' } }),
        400,
        'BAD_USER_INPUT',
        'host.mac',
      ],
      ['a body that is a list', () => [1], 400, 'BAD_USER_INPUT', 'body'],
      ['a body that is not JSON', () => '{"keyCode":', 400, 'BAD_REQUEST', undefined],
      ['an empty body', () => '', 400, 'BAD_REQUEST', undefined],
      ['a body over the size limit', (b) => ({ ...b, pad: long(MAX_BODY_BYTES) }), 413, 'PAYLOAD_TOO_LARGE', undefined],
    ];

    it.each(acquireCases)('acquire with %s', async (_, change, status, code, field) => {
      const before = await footprint(key);
      const answer = await post('acquire', change(acquireBody(key, 'DESK', 'bad-input')));
      expect(answer.status).toBe(status);
      expect(answer.body['error']).toMatchObject({ code, ...(field ? { field } : {}) });
      if (field && status === 400) expect(answer.body['error']['message']).toContain(field.split('.').pop());
      expect(await footprint(key)).toEqual(before);
    });

    it.each([
      ['a missing session id', {}, 400, 'BAD_USER_INPUT'],
      ['a session id that is not a uuid', { sessionId: 'abc' }, 400, 'BAD_USER_INPUT'],
      ['a session id that is not text', { sessionId: 7 }, 400, 'BAD_USER_INPUT'],
      ['an unknown session id', { sessionId: '6f1c2d7e-8a9b-4c3d-9e8f-7a6b5c4d3e2f' }, 404, 'NOT_FOUND'],
    ])('heartbeat and release with %s', async (_, body, status, code) => {
      await post('acquire', acquireBody(key, 'DESK', 'live'));
      const before = await footprint(key);
      for (const op of ['heartbeat', 'release']) {
        expect(await post(op, body)).toMatchObject({ status, body: { error: { code, field: 'sessionId' } } });
      }
      expect(await footprint(key)).toEqual(before);
    });

    it('refuses another id of this service (a check request id) as a session id, and unknown fields', async () => {
      const { body: checked } = await post('check', { keyCode: key.code, productCode: 'DESK' });
      const live = await post('acquire', acquireBody(key, 'DESK', 'foreign'));
      const before = await footprint(key);
      expect(await post('release', { sessionId: checked['requestId'] })).toMatchObject({
        status: 404,
        body: { error: { code: 'NOT_FOUND', field: 'sessionId' } },
      });
      expect(await post('release', { sessionId: live.body['sessionId'], keyCode: key.code })).toMatchObject({
        status: 400,
        body: { error: { code: 'BAD_USER_INPUT', field: 'keyCode' } },
      });
      expect(await footprint(key)).toEqual(before);
    });

    it.each([
      ['a malformed key code', { keyCode: 'x', productCode: 'DESK' }, 400, 'keyCode'],
      ['an unknown key', { keyCode: 'RTME-00000-00000-00000-00000', productCode: 'DESK' }, 404, 'keyCode'],
      ['an unknown product', { keyCode: 'KEY', productCode: 'NOPE' }, 404, 'productCode'],
      ['an oversized product code', { keyCode: 'KEY', productCode: 'x'.repeat(41) }, 400, 'productCode'],
      ['an unknown field', { keyCode: 'KEY', productCode: 'DESK', host: {} }, 400, 'host'],
    ])('check with %s records nothing', async (_, body, status, field) => {
      const before = await footprint(key);
      const answer = await post('check', { ...body, keyCode: body.keyCode === 'KEY' ? key.code : body.keyCode });
      expect(answer.status).toBe(status);
      expect(answer.body['error']).toMatchObject({ field });
      expect(await footprint(key)).toEqual(before);
    });

    it('refuses a body over the size limit on every operation (413)', async () => {
      const before = await footprint(key);
      for (const op of ['heartbeat', 'release', 'check']) {
        expect(await post(op, { sessionId: 'x'.repeat(MAX_BODY_BYTES + 1) })).toMatchObject({
          status: 413,
          body: { error: { code: 'PAYLOAD_TOO_LARGE' } },
        });
      }
      expect(await footprint(key)).toEqual(before);
    });

    it('answers 405 for another method, 404 for another path, and leaves other paths to the server behind', async () => {
      for (const op of ['acquire', 'heartbeat', 'release', 'check']) {
        const answer = await send('GET', `/runtime/v1/${op}`);
        expect(answer).toMatchObject({ status: 405, body: { error: { code: 'BAD_REQUEST' } } });
        expect(answer.headers.get('allow')).toBe('POST');
      }
      expect((await send('POST', '/runtime/v1/jwks/RTME')).status).toBe(405);
      expect(await send('POST', '/runtime/v1/terminate', {})).toMatchObject({ status: 404 });
      expect((await fetch(`${url}/graphql`, { method: 'POST' })).status).toBe(418);
    });
  });

  describe('rate limit', () => {
    it('answers 429 with Retry-After past the limit per address, with RateLimit headers on every answer, and changes nothing', async () => {
      // An instance with a low limit and Redis keys of its own (the counters of the tests above are not its).
      const config = testConfig({ RUNTIME_RATE_LIMIT_PER_MINUTE: '5' });
      const limited = await SessionsInstance.start(testbed.databaseUrl, config, [RuntimeModule]);
      const { url: limitedUrl, server: limitedServer } = await serve(limited);
      try {
        const key = await keyWith('DESK', 10);
        // Parallel requests are each counted once: exactly the limit gets through.
        const burst = await Promise.all(
          Array.from({ length: 5 }, () => post('check', { keyCode: key.code, productCode: 'DESK' }, limitedUrl)),
        );
        expect(burst.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
        expect(burst.map((a) => Number(a.headers.get('ratelimit-remaining'))).sort()).toEqual([0, 1, 2, 3, 4]);
        for (const a of burst) expect(a.headers.get('ratelimit-limit')).toBe('5');

        await limited.get(SessionsService).acquire(acquireBody(key, 'DESK', 'held'));
        const before = await footprint(key, limited, config);
        const refused = await post('acquire', acquireBody(key, 'DESK'), limitedUrl);
        expect(refused).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
        const retry = Number(refused.headers.get('retry-after'));
        expect(retry).toBeGreaterThanOrEqual(1);
        expect(retry).toBeLessThanOrEqual(60);
        expect(refused.body['error']['retryAfterSeconds']).toBe(retry);
        expect(refused.headers.get('ratelimit-remaining')).toBe('0');
        expect(Number(refused.headers.get('ratelimit-reset'))).toBe(retry);
        for (const op of ['heartbeat', 'release', 'check']) {
          expect((await post(op, { sessionId: before.live[0] }, limitedUrl)).status).toBe(429);
        }
        expect((await send('GET', '/runtime/v1/jwks/RTME', undefined, limitedUrl)).status).toBe(429);
        expect(await footprint(key, limited, config)).toEqual(before);
        expect(before.live).toHaveLength(1);
        await limited.redis.del(...(await limited.redis.keys(`${config.REDIS_NAMESPACE}:*`)));
      } finally {
        limitedServer.closeAllConnections();
        await new Promise((resolve) => limitedServer.close(resolve));
        await limited.close();
      }
    });
  });

  describe('openapi.json', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'openapi.json', components: openapi['components'] });

    const operations = () =>
      Object.entries(openapi['paths'] as Json).flatMap(([path, methods]) =>
        Object.entries(methods as Json).map(([method, op]) => ({ path, method: method.toUpperCase(), op: op as Json })),
      );
    const routeOf = (path: string) => path.replace(/^\/runtime\/v1\/jwks\/[^/]+$/, '/runtime/v1/jwks/{vendorPrefix}');
    const resolve = (ref: Json): Json => {
      if (!ref['$ref']) return ref;
      const [, ...parts] = (ref['$ref'] as string).split('/');
      return parts.reduce((node: Json, part) => node[part], openapi);
    };

    it('lists exactly the routes the endpoint serves', () => {
      expect(operations().map((o) => `${o.method} ${o.path}`)).toEqual([
        'POST /runtime/v1/acquire',
        'POST /runtime/v1/heartbeat',
        'POST /runtime/v1/release',
        'POST /runtime/v1/check',
        'GET /runtime/v1/jwks/{vendorPrefix}',
      ]);
    });

    it('declares every error code under the status the endpoint answers it with, and the code enums the service has', () => {
      for (const { op } of operations()) {
        for (const [status, response] of Object.entries(op['responses'] as Json)) {
          if (status === '200' || status === '405') continue;
          const declared = resolve(resolve(response as Json)['content']['application/json']['schema']);
          for (const schema of ((declared['oneOf'] as Json[] | undefined) ?? [declared]).map(resolve)) {
            const error = schema['properties']['error']['properties'];
            const codes = error['code']['enum'] as string[];
            for (const code of codes) expect([code, RUNTIME_STATUS[code] ?? 500]).toEqual([code, Number(status)]);
            for (const code of codes)
              expect(error['licensingCode']?.['const']).toBe(LICENSING_CODES[code as ErrorCode]);
          }
        }
      }
      const schemas = openapi['components']['schemas'] as Json;
      expect(schemas['NotInForce']['properties']['error']['properties']['reason']['enum']).toEqual([
        ...STANDING_REASONS,
      ]);
      expect(schemas['Check']['properties']['reason']['enum']).toEqual([...STANDING_REASONS, null]);
      expect(schemas['SessionEnded']['properties']['error']['properties']['reason']['enum'].sort()).toEqual(
        [...SESSION_END_REASONS].sort(),
      );
    });

    it('describes every answer the tests above received: status, headers and body', () => {
      expect(answers.length).toBeGreaterThan(50);
      const problems: string[] = [];
      for (const a of answers) {
        // A 405 is declared under the method the path takes.
        const op = operations().find(
          (o) => o.path === routeOf(a.path) && (o.method === a.method || a.status === 405),
        )?.op;
        if (!op) {
          if (a.status !== 404 && a.status !== 405) problems.push(`${a.method} ${a.path} is not in the document`);
          continue;
        }
        const response = op['responses'][String(a.status)] as Json | undefined;
        if (!response) {
          problems.push(`${a.method} ${a.path} answered ${a.status}, which the document does not list`);
          continue;
        }
        const declared = resolve(response);
        const validate = ajv.getSchema(`openapi.json${declared['content']['application/json']['schema']['$ref']}`)!;
        if (!validate(a.body)) problems.push(`${a.method} ${a.path} ${a.status}: ${ajv.errorsText(validate.errors)}`);
        for (const [name, header] of Object.entries(declared['headers'] as Json)) {
          const value = a.headers.get(name);
          const schema = resolve(header as Json)['schema'] as Json;
          if (value === null || !ajv.validate(schema, Number(value))) {
            problems.push(`${a.method} ${a.path} ${a.status}: header ${name} is ${value}`);
          }
        }
      }
      expect(problems).toEqual([]);
    });

    it('every status the document lists was answered by the tests above (but 500)', () => {
      const methodOf = (path: string) => operations().find((o) => o.path === path)?.method;
      const seen = new Set(
        answers.map((a) => `${a.status === 405 ? methodOf(routeOf(a.path)) : a.method} ${routeOf(a.path)} ${a.status}`),
      );
      const unseen = operations()
        .flatMap((o) => Object.keys(o.op['responses'] as Json).map((s) => `${o.method} ${o.path} ${s}`))
        .filter((s) => !s.endsWith(' 500') && !seen.has(s));
      expect(unseen).toEqual([]);
    });
  });
});
