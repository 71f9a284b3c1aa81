import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { eventually } from '@licensing/testing';
import { contractOperation } from '../support/contract';
import { declaredMetricNames, metricNamesOf, PROMETHEUS_SERIES, readDashboard } from '../support/dashboard';
import { GraphQLResponse, startTestStack, SubgraphName, TestStack } from '../support/stack';

const CABINET = 'https://cabinet.example.test';
const errorOf = (res: GraphQLResponse) => res.errors?.[0]?.extensions ?? {};

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request (fetch would not let a test send Origin as a browser does). */
function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition. */
function samplesOf(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the one sample with this name and (at least) these labels. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found.length ? found.reduce((sum, s) => sum + s.value, 0) : undefined;
}

describe('operability: /metrics on every process, the dashboard, CORS and RateLimit headers', () => {
  let stack: TestStack;
  let gatewayBase: string;
  let vendor: { id: string; apiKey: string };
  const call = (name: string, variables: Record<string, unknown>, token?: string) =>
    stack.call(contractOperation(name), variables, token);

  const baseUrls = (): Record<SubgraphName | 'gateway', string> => ({
    gateway: gatewayBase,
    keys: stack.subgraphs.keys.baseUrl,
    coupons: stack.subgraphs.coupons.baseUrl,
    sessions: stack.subgraphs.sessions.baseUrl,
    notifications: stack.subgraphs.notifications.baseUrl,
  });

  async function scrape(base: string): Promise<{ text: string; samples: Sample[]; contentType: string | null }> {
    // No identity header, no token: Prometheus scrapes each process as it is.
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    return { text, samples: samplesOf(text), contentType: res.headers.get('content-type') };
  }

  async function scrapeAll() {
    const entries = await Promise.all(
      Object.entries(baseUrls()).map(async ([name, base]) => [name, await scrape(base)] as const),
    );
    return Object.fromEntries(entries) as Record<SubgraphName | 'gateway', Awaited<ReturnType<typeof scrape>>>;
  }

  beforeAll(async () => {
    stack = await startTestStack(
      { keys: { LOGIN_FAILURES_PER_EMAIL: '2' }, sessions: { CORS_ORIGINS: CABINET } },
      { CORS_ORIGINS: `${CABINET}, http://localhost:5173` },
    );
    gatewayBase = stack.gatewayUrl.replace(/\/graphql$/, '');

    // Traffic for every series: a vendor, a product, a key, a coupon activated on it, a
    // session on it and a license check.
    const created = await call('CreateVendor', { input: { prefix: 'OPSX', name: 'Ops' } }, stack.operatorToken);
    vendor = { id: created.data!['createVendor'].vendor.id, apiKey: created.data!['createVendor'].apiKey };
    await call(
      'CreateProduct',
      { input: { code: 'DESK', name: 'Desktop', licenseModel: 'CONCURRENT_SESSIONS' } },
      vendor.apiKey,
    );
    const distributorId = (await call('CreateDistributor', { input: { name: 'Partner' } }, vendor.apiKey)).data![
      'createDistributor'
    ].id as string;
    const key = (
      await call('CreateLicenseKey', { input: { client: { company: `Co ${randomUUID()}` } } }, vendor.apiKey)
    ).data!['createLicenseKey'] as { id: string; code: string };
    const batch = await call(
      'GenerateCoupons',
      { input: { type: 'ADD_PRODUCT', distributorId, products: [{ productCode: 'DESK', periodDays: 30, seats: 2 }] } },
      vendor.apiKey,
    );
    const couponCode = batch.data!['generateCoupons'].coupons.edges[0].node.code as string;
    await eventually(
      async () =>
        (await call('ActivateCoupon', { input: { keyCode: key.code, couponCode } }, vendor.apiKey)).data?.[
          'activateCoupon'
        ],
      { what: 'coupon activation' },
    );
    await eventually(
      async () => {
        const res = await call('CheckLicense', { input: { keyCode: key.code, productCode: 'DESK' } });
        return res.data?.['checkLicense']?.active ? true : undefined;
      },
      { what: 'an active check' },
    );
    const acquired = await call('AcquireLicense', {
      input: {
        keyCode: key.code,
        productCode: 'DESK',
        host: { fingerprint: 'ops-host-1', name: 'OPS', os: 'Linux', ip: '10.0.0.9', platformVersion: '8.3' },
        session: { infobase: 'Trade', user: 'anna' },
      },
    });
    expect(acquired.errors).toBeUndefined();
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
  });

  describe('/metrics', () => {
    it('answers on every process, without the identity the rest of a subgraph requires', async () => {
      const all = await scrapeAll();
      for (const [name, { contentType, samples }] of Object.entries(all)) {
        expect({ name, contentType }).toEqual({
          name,
          contentType: expect.stringMatching(/^text\/plain;.*version=0\.0\.4/),
        });
        // Node's process metrics, labelled with the service.
        expect({ name, cpu: valueOf(samples, 'process_cpu_user_seconds_total', { service: name }) }).toEqual({
          name,
          cpu: expect.any(Number),
        });
        expect(valueOf(samples, 'nodejs_eventloop_lag_p99_seconds')).toEqual(expect.any(Number));
        expect({ name, redis: valueOf(samples, 'redis_up') }).toEqual({ name, redis: 1 });
        expect(valueOf(samples, 'redis_ping_seconds')).toBeGreaterThan(0);
      }
      // The subgraph's other routes still require the gateway's signature.
      const direct = await fetch(stack.subgraphs.keys.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(direct.status).toBe(401);
    });

    it('counts and times requests per contract operation, in the gateway and in the subgraph that served them', async () => {
      const { gateway, keys } = await scrapeAll();
      expect(
        valueOf(gateway.samples, 'graphql_request_duration_seconds_count', { operation: 'CreateLicenseKey' }),
      ).toBeGreaterThanOrEqual(1);
      expect(
        valueOf(gateway.samples, 'graphql_request_duration_seconds_bucket', {
          operation: 'CreateLicenseKey',
          le: '+Inf',
        }),
      ).toBeGreaterThanOrEqual(1);
      // The gateway's fetch is named CreateLicenseKey__keys__0; the subgraph labels it by the operation.
      expect(
        valueOf(keys.samples, 'graphql_request_duration_seconds_count', { operation: 'CreateLicenseKey' }),
      ).toBeGreaterThanOrEqual(1);
    });

    it('keeps operation names outside the contract out of the labels, and counts errors by code', async () => {
      const invented = `Invented${randomBytes(6).toString('hex')}`;
      const before = valueOf((await scrape(gatewayBase)).samples, 'graphql_request_duration_seconds_count', {
        operation: 'other',
      });
      await stack.call(`query ${invented} { __typename }`, {}, stack.operatorToken);
      await stack.call('{ noSuchField }', {}, stack.operatorToken);
      await stack.call('{ __typename }', {}, 'not-a-valid-token');
      const { text, samples } = await scrape(gatewayBase);
      expect(text).not.toContain(invented);
      expect(valueOf(samples, 'graphql_request_duration_seconds_count', { operation: 'other' })).toBe(
        (before ?? 0) + 1,
      );
      expect(
        valueOf(samples, 'graphql_errors_total', { operation: 'anonymous', code: 'GRAPHQL_VALIDATION_FAILED' }),
      ).toBeGreaterThanOrEqual(1);
      // Refused before Apollo (a bad token): still counted by code.
      expect(valueOf(samples, 'graphql_errors_total', { code: 'UNAUTHENTICATED' })).toBeGreaterThanOrEqual(1);
    });

    it('shows the outbox, the consumers, the database pool and the domain gauges', async () => {
      const all = await scrapeAll();
      for (const name of ['keys', 'coupons', 'sessions', 'notifications'] as const) {
        const { samples, text } = all[name];
        expect({ name, pending: valueOf(samples, 'outbox_pending_events') }).toEqual({
          name,
          pending: expect.any(Number),
        });
        expect(valueOf(samples, 'outbox_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(0);
        expect(valueOf(samples, 'db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
        expect(valueOf(samples, 'db_pool_connections', { state: 'waiting' })).toBe(0);
        expect(text).toContain('# TYPE kafka_dead_letters gauge');
      }
      // Consumers report their lag per topic and partition.
      const lags = ['coupons', 'sessions'].flatMap((n) =>
        all[n as SubgraphName].samples.filter((s) => s.name === 'kafka_consumer_lag'),
      );
      expect(lags.length).toBeGreaterThan(0);
      expect(lags[0]!.labels).toEqual(
        expect.objectContaining({ topic: expect.stringMatching(/^licensing\./), partition: expect.any(String) }),
      );

      expect(valueOf(all.sessions.samples, 'sessions_live', { vendor: vendor.id })).toBe(1);
      expect(valueOf(all.sessions.samples, 'license_checks_recorded_total', { active: 'true' })).toBeGreaterThanOrEqual(
        1,
      );
      expect(valueOf(all.coupons.samples, 'coupon_activations_total', { channel: 'VENDOR_CABINET' })).toBe(1);
      expect(valueOf(all.keys.samples, 'license_keys_created_total', { origin: 'CABINET' })).toBe(1);
    });

    it('exposes every metric the Grafana dashboard queries', async () => {
      const all = await scrapeAll();
      const exposed = new Set<string>(PROMETHEUS_SERIES);
      for (const { text } of Object.values(all)) for (const n of declaredMetricNames(text)) exposed.add(n);
      const used = new Set(
        (readDashboard().panels ?? []).flatMap((p) => (p.targets ?? []).flatMap((t) => metricNamesOf(t.expr ?? ''))),
      );
      expect(used.size).toBeGreaterThanOrEqual(15);
      expect([...used].filter((n) => !exposed.has(n))).toEqual([]);
    });
  });

  describe('CORS', () => {
    const preflight = (origin: string, requestHeaders = 'authorization, content-type, x-request-id') =>
      send(`${gatewayBase}/graphql`, 'OPTIONS', {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': requestHeaders,
      });
    const corsHeaders = (res: RawResponse) => Object.keys(res.headers).filter((h) => h.startsWith('access-control-'));

    it('answers a preflight from a configured origin 204, with credentials and the headers the gateway reads', async () => {
      const res = await preflight(CABINET);
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(CABINET);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(String(res.headers['access-control-allow-methods']).split(',')).toEqual(
        expect.arrayContaining(['GET', 'POST']),
      );
      const allowed = String(res.headers['access-control-allow-headers']).toLowerCase().split(',');
      expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-request-id']));
      expect(String(res.headers['vary'])).toMatch(/Origin/);
      expect(Number(res.headers['access-control-max-age'])).toBeGreaterThan(0);

      // The second configured origin too.
      expect((await preflight('http://localhost:5173')).headers['access-control-allow-origin']).toBe(
        'http://localhost:5173',
      );
    });

    it('gives a preflight from any other origin no Access-Control-* header (403), without reaching GraphQL', async () => {
      for (const origin of ['https://evil.example.test', 'https://cabinet.example.test.evil.test', 'null']) {
        const res = await preflight(origin);
        expect({ origin, status: res.status, cors: corsHeaders(res) }).toEqual({ origin, status: 403, cors: [] });
      }
    });

    it('lets a configured origin read the answer and its request id; another origin gets no grant', async () => {
      const body = JSON.stringify({ query: '{ __typename }' });
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${stack.operatorToken}` };
      const allowed = await send(`${gatewayBase}/graphql`, 'POST', { ...headers, origin: CABINET }, body);
      expect(allowed.status).toBe(200);
      expect(allowed.headers['access-control-allow-origin']).toBe(CABINET);
      expect(allowed.headers['access-control-allow-credentials']).toBe('true');
      expect(String(allowed.headers['access-control-expose-headers']).toLowerCase().split(',')).toEqual(
        expect.arrayContaining(['x-request-id', 'ratelimit-reset', 'retry-after']),
      );
      const other = await send(
        `${gatewayBase}/graphql`,
        'POST',
        { ...headers, origin: 'https://evil.example.test' },
        body,
      );
      expect(corsHeaders(other)).toEqual([]);
    });
  });

  describe('CORS on the sessions runtime endpoint', () => {
    const runtime = (path: string) => `${stack.subgraphs.sessions.baseUrl}/runtime/v1/${path}`;

    it('answers a preflight from a configured origin 204 and another origin 403 without grants', async () => {
      const ask = (origin: string) =>
        send(runtime('acquire'), 'OPTIONS', {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        });
      const allowed = await ask(CABINET);
      expect(allowed.status).toBe(204);
      expect(allowed.headers).toMatchObject({
        'access-control-allow-origin': CABINET,
        'access-control-allow-credentials': 'true',
      });
      expect(String(allowed.headers['access-control-allow-headers'])).toContain('content-type');
      expect(String(allowed.headers['access-control-allow-methods'])).toContain('POST');
      // A preflight is not counted by the runtime rate limit.
      expect(allowed.headers['ratelimit-remaining']).toBeUndefined();

      const other = await ask('https://evil.example.test');
      expect(other.status).toBe(403);
      expect(Object.keys(other.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    });

    it('lets a configured origin read an answer and its RateLimit headers', async () => {
      const res = await send(
        runtime('check'),
        'POST',
        { 'content-type': 'application/json', origin: CABINET },
        JSON.stringify({ keyCode: 'not a key', productCode: 'DESK' }),
      );
      expect(res.status).toBe(400);
      expect(res.headers['access-control-allow-origin']).toBe(CABINET);
      expect(String(res.headers['access-control-expose-headers'])).toContain('ratelimit-remaining');
      expect(res.headers['ratelimit-remaining']).toEqual(expect.any(String));
    });
  });

  describe('RateLimit headers', () => {
    it('a login refused by the keys service throttle carries RateLimit-* and Retry-After through the gateway', async () => {
      const input = { email: `nobody-${randomUUID()}@ops.test`, password: 'wrong password' };
      const body = JSON.stringify({ query: contractOperation('Login'), variables: { input } });
      const post = () =>
        send(`${gatewayBase}/graphql`, 'POST', { 'content-type': 'application/json', origin: CABINET }, body);
      const first = await post();
      const second = await post();
      for (const res of [first, second]) {
        expect(JSON.parse(res.body).errors[0].extensions.code).toBe('UNAUTHENTICATED');
        expect(res.headers['retry-after']).toBeUndefined();
      }
      const refused = await post();
      const json = JSON.parse(refused.body) as GraphQLResponse;
      expect(errorOf(json)).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
      const retry = Number(errorOf(json)['retryAfterSeconds']);
      expect(refused.headers).toMatchObject({
        'ratelimit-limit': '2',
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(retry),
        'retry-after': String(retry),
      });
      expect(retry).toBeGreaterThan(800);
      expect(retry).toBeLessThanOrEqual(900);
    });

    it('a request refused by the gateway rate limit carries them too', async () => {
      const gateway = await stack.extraGateway({
        APP_RATE_LIMIT_PER_MINUTE: '2',
        RATE_LIMIT_NAMESPACE: `ops-${randomBytes(4).toString('hex')}`,
      });
      try {
        const body = JSON.stringify({ query: '{ __typename }' });
        const post = () => send(gateway.url, 'POST', { 'content-type': 'application/json' }, body);
        expect((await post()).status).toBe(200);
        expect((await post()).status).toBe(200);
        const refused = await post();
        expect(refused.status).toBe(429);
        expect(JSON.parse(refused.body).errors[0].extensions.code).toBe('RATE_LIMITED');
        const reset = Number(refused.headers['ratelimit-reset']);
        expect(reset).toBeGreaterThanOrEqual(1);
        expect(reset).toBeLessThanOrEqual(60);
        expect(refused.headers).toMatchObject({
          'ratelimit-limit': '2',
          'ratelimit-remaining': '0',
          'retry-after': String(reset),
        });
      } finally {
        await gateway.close();
      }
    });
  });

  it('the gateway process has switched off Apollo usage reporting', () => {
    expect(process.env['APOLLO_TELEMETRY_DISABLED']).toBe('true');
  });
});
