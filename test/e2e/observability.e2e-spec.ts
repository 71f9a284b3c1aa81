import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import {
  createTestDatabase,
  eventually,
  testInfrastructure,
  TestDatabase,
  uniqueTopicPrefix,
} from '@licensing/testing';
import { contractOperation } from '../support/contract';
import { freePort, ServiceProcess, spawnService, waitForHealth } from '../support/processes';
import { GraphQLResponse, postGraphQL } from '../support/stack';

/** One span as OTLP/JSON gives it, with the service that sent it. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

const SPAN_KIND = { SERVER: 2, CONSUMER: 5, PRODUCER: 4 };

/** A tiny OTLP/HTTP (JSON) receiver: what a collector would get from every process. */
async function startOtlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: {
            resource: { attributes: { key: string; value: { stringValue?: string } }[] };
            scopeSpans: { spans: any[] }[];
          }[];
        };
        for (const rs of body.resourceSpans) {
          const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
          for (const ss of rs.scopeSpans) {
            for (const s of ss.spans) {
              spans.push({
                service,
                traceId: s.traceId,
                spanId: s.spanId,
                parentSpanId: s.parentSpanId || undefined,
                name: s.name,
                kind: s.kind,
                attributes: Object.fromEntries(
                  (s.attributes ?? []).map((a: { key: string; value: Record<string, unknown> }) => [
                    a.key,
                    Object.values(a.value)[0],
                  ]),
                ),
              });
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

type Name = 'keys' | 'coupons' | 'sessions' | 'notifications';

/**
 * The whole system as separate processes (the gateway too, unlike startTestStack: the
 * OpenTelemetry SDK patches modules as a process loads them), tracing to `otlpUrl`.
 */
async function startTracedStack(otlpUrl: string) {
  const infra = await testInfrastructure();
  const identity = randomBytes(32).toString('hex');
  const accessTokens = randomBytes(32).toString('hex');
  const topicPrefix = uniqueTopicPrefix('obs');
  const telemetry = {
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    LOG_LEVEL: 'debug',
  };
  const names: Name[] = ['keys', 'coupons', 'sessions', 'notifications'];
  const subgraphs = await Promise.all(
    names.map(async (name) => {
      const [port, database] = await Promise.all([freePort(), createTestDatabase(name)]);
      const proc = spawnService(name, {
        NODE_ENV: 'test',
        PORT: String(port),
        DATABASE_URL: database.url,
        REDIS_URL: infra.redisUrl,
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        KAFKA_TOPIC_PREFIX: topicPrefix,
        IDENTITY_SIGNING_SECRET: identity,
        ACCESS_TOKEN_SECRET: accessTokens,
        OUTBOX_POLL_MS: '100',
        THROTTLE_NAMESPACE: `t-${topicPrefix.replace(/\W/g, '')}`,
        ...telemetry,
      });
      await waitForHealth(proc, port);
      return { name, proc, port, database };
    }),
  );
  const by = Object.fromEntries(subgraphs.map((s) => [s.name, s])) as unknown as Record<
    Name,
    { proc: ServiceProcess; port: number; database: TestDatabase }
  >;
  const operatorToken = `op_${randomBytes(24).toString('hex')}`;
  const gatewayPort = await freePort();
  const url = (name: Name) => `http://127.0.0.1:${by[name].port}`;
  const gateway = spawnService('gateway', {
    NODE_ENV: 'test',
    PORT: String(gatewayPort),
    OPERATOR_TOKEN: operatorToken,
    IDENTITY_SIGNING_SECRET: identity,
    ACCESS_TOKEN_SECRET: accessTokens,
    REDIS_URL: infra.redisUrl,
    KEYS_URL: `${url('keys')}/graphql`,
    COUPONS_URL: `${url('coupons')}/graphql`,
    SESSIONS_URL: `${url('sessions')}/graphql`,
    NOTIFICATIONS_URL: `${url('notifications')}/graphql`,
    KEYS_INTERNAL_URL: url('keys'),
    SUPERGRAPH_PATH: join(__dirname, '..', '..', 'services', 'gateway', 'supergraph.graphql'),
    RATE_LIMIT_NAMESPACE: `g-${topicPrefix.replace(/\W/g, '')}`,
    ...telemetry,
  });
  await waitForHealth(gateway, gatewayPort);
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
  return {
    operatorToken,
    subgraphs: by,
    gateway,
    identity,
    call: <T = Record<string, any>>(
      name: string,
      variables: Record<string, unknown>,
      token?: string,
      headers?: Record<string, string>,
    ): Promise<GraphQLResponse<T>> =>
      postGraphQL<T>(gatewayUrl, { query: contractOperation(name), variables }, token, headers),
    close: async () => {
      await gateway.stop();
      await Promise.all(subgraphs.map((s) => s.proc.stop()));
      await Promise.all(subgraphs.map((s) => s.database.drop()));
    },
  };
}

/** Every line a process wrote, parsed; a line that is not JSON fails the test that reads it. */
function jsonLines(proc: ServiceProcess): Record<string, any>[] {
  return proc
    .output()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, any>;
      } catch {
        throw new Error(`${proc.name} wrote a line that is not JSON: ${line.slice(0, 300)}`);
      }
    });
}

describe('observability: one trace and one request id from the gateway through Kafka; JSON logs without secrets', () => {
  let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let stack: Awaited<ReturnType<typeof startTracedStack>>;
  let vendor: { id: string; apiKey: string };
  let key: { id: string; code: string };
  let couponCode: string;
  const requestId = `obs-${randomBytes(8).toString('hex')}`;
  const password = `pw-${randomBytes(12).toString('hex')}`;

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    stack = await startTracedStack(otlp.url);
    const created = await stack.call(
      'CreateVendor',
      { input: { prefix: 'OBSV', name: 'Observed' } },
      stack.operatorToken,
    );
    expect(created.errors).toBeUndefined();
    vendor = { id: created.data!['createVendor'].vendor.id, apiKey: created.data!['createVendor'].apiKey };
    await stack.call(
      'CreateProduct',
      { input: { code: 'PBX', name: 'PBX', licenseModel: 'HOST_BINDING' } },
      vendor.apiKey,
    );
    const distributor = await stack.call('CreateDistributor', { input: { name: 'Partner' } }, vendor.apiKey);
    const distributorId = distributor.data!['createDistributor'].id as string;
    key = (await stack.call('CreateLicenseKey', { input: { client: { company: 'Traced Co' } } }, vendor.apiKey)).data![
      'createLicenseKey'
    ];
    const couponsDb = new PgClient({ connectionString: stack.subgraphs.coupons.database.url });
    await couponsDb.connect();
    try {
      await eventually(
        async () =>
          (await couponsDb.query('SELECT 1 FROM known_keys WHERE key_id = $1', [key.id])).rowCount &&
          (await couponsDb.query('SELECT 1 FROM known_distributors WHERE distributor_id = $1', [distributorId]))
            .rowCount,
        { what: 'coupons knows the key and the distributor' },
      );
    } finally {
      await couponsDb.end();
    }
    const generated = await stack.call(
      'GenerateCoupons',
      {
        input: {
          type: 'ADD_PRODUCT',
          distributorId,
          comment: 'traced',
          products: [{ productCode: 'PBX', periodDays: 30, seats: 1 }],
        },
      },
      vendor.apiKey,
    );
    expect(generated.errors).toBeUndefined();
    couponCode = generated.data!['generateCoupons'].coupons.edges[0].node.code;
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
    await otlp?.close();
  });

  it('follows a coupon activation in one trace: gateway, coupons subgraph, the relay, and the keys consumer that applied it', async () => {
    const res = await stack.call('ActivateCouponFromApp', { input: { keyCode: key.code, couponCode } }, undefined, {
      'x-request-id': requestId,
    });
    expect(res.errors).toBeUndefined();
    expect(res.headers.get('x-request-id')).toBe(requestId);

    const consumed = await eventually(
      () =>
        otlp.spans.find(
          (s) => s.service === 'keys' && s.kind === SPAN_KIND.CONSUMER && s.name === 'process coupon.activated',
        ),
      { what: 'the keys consumer span of coupon.activated', timeoutMs: 20_000 },
    );
    const traceId = consumed.traceId;
    const inTrace = () => otlp.spans.filter((s) => s.traceId === traceId);
    // The spans of other processes may arrive a batch later.
    await eventually(
      () =>
        ['gateway', 'coupons', 'keys'].every((service) => inTrace().some((s) => s.service === service)) &&
        inTrace().some((s) => s.name === 'gateway.request'),
      { what: 'gateway, coupons and keys spans of one trace', timeoutMs: 20_000 },
    );
    const spans = inTrace();
    // The trace starts at the gateway's HTTP server span; @apollo/gateway's own spans are in it.
    const root = spans.find((s) => !s.parentSpanId);
    expect(root).toMatchObject({ service: 'gateway', kind: SPAN_KIND.SERVER });
    expect(spans.filter((s) => s.service === 'gateway').map((s) => s.name)).toEqual(
      expect.arrayContaining(['gateway.request', 'gateway.fetch']),
    );
    // The coupons subgraph served the call within it (its HTTP server span and GraphQL execution).
    expect(spans.some((s) => s.service === 'coupons' && s.kind === SPAN_KIND.SERVER)).toBe(true);
    // Its relay published the event in the same trace, and the consumer hangs below that.
    const published = spans.find((s) => s.service === 'coupons' && s.name === 'publish coupon.activated');
    expect(published?.kind).toBe(SPAN_KIND.PRODUCER);
    expect(consumed.parentSpanId).toBe(published!.spanId);
    // The consumer's database work is part of it.
    expect(spans.some((s) => s.service === 'keys' && s.parentSpanId === consumed.spanId)).toBe(true);

    // The same request id in the gateway's, the subgraph's and the consumer's log lines, with the trace id.
    await eventually(
      () =>
        jsonLines(stack.subgraphs.keys.proc).some(
          (l) => l.requestId === requestId && String(l.msg).includes('coupon.activated'),
        ),
      { what: 'the keys consumer logged with the request id' },
    );
    const gatewayAccess = jsonLines(stack.gateway).find(
      (l) => l.msg === 'request completed' && l.requestId === requestId,
    );
    expect(gatewayAccess).toMatchObject({
      service: 'gateway',
      level: 'info',
      method: 'POST',
      path: '/graphql',
      operation: 'ActivateCouponFromApp',
      status: 200,
      traceId,
    });
    expect(typeof gatewayAccess!.ms).toBe('number');
    expect(gatewayAccess!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const couponsAccess = jsonLines(stack.subgraphs.coupons.proc).find(
      (l) => l.msg === 'request completed' && l.requestId === requestId,
    );
    // The subgraph names the operation as the gateway's query plan named its fetch.
    expect(couponsAccess).toMatchObject({
      service: 'coupons',
      operation: expect.stringMatching(/^ActivateCouponFromApp__coupons__\d+$/),
      traceId,
    });
    const consumerLine = jsonLines(stack.subgraphs.keys.proc).find(
      (l) => l.requestId === requestId && String(l.msg).includes('coupon.activated'),
    );
    expect(consumerLine).toMatchObject({ service: 'keys', traceId });
  });

  it('logs JSON lines with request ids, refusals at info without a stack, and never a password, token or code', async () => {
    const owner = await stack.call(
      'CreateStaff',
      { input: { email: 'owner@observed.test', name: 'Owner', role: 'OWNER', password } },
      vendor.apiKey,
    );
    expect(owner.errors).toBeUndefined();
    const wrongPassword = `wrong-${password}`;
    const refused = await stack.call(
      'Login',
      { input: { email: 'owner@observed.test', password: wrongPassword } },
      undefined,
      { 'x-request-id': `${requestId}-refused` },
    );
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const login = await stack.call('Login', { input: { email: 'owner@observed.test', password } });
    expect(login.errors).toBeUndefined();
    const token = login.data!['login'].token as string;
    // A used coupon: another refusal, with codes in the variables.
    const used = await stack.call('ActivateCouponFromApp', { input: { keyCode: key.code, couponCode } });
    expect(used.errors?.[0]?.extensions?.['code']).toBe('COUPON_USED');

    await eventually(
      () =>
        jsonLines(stack.subgraphs.keys.proc).some((l) => l.msg === 'refused' && l.requestId === `${requestId}-refused`),
      { what: 'the refusal logged' },
    );
    const processes = [stack.gateway, ...Object.values(stack.subgraphs).map((s) => s.proc)];
    const secrets = [
      password,
      wrongPassword,
      token,
      vendor.apiKey,
      stack.operatorToken,
      stack.identity,
      key.code,
      couponCode,
    ];
    for (const proc of processes) {
      const lines = jsonLines(proc);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line).toMatchObject({
          service: proc.name,
          level: expect.any(String),
          time: expect.stringMatching(/Z$/),
        });
      }
      const text = proc.output();
      for (const secret of secrets) {
        if (text.includes(secret)) throw new Error(`${proc.name} logged a secret: ${secret.slice(0, 6)}…`);
      }
      // Nothing a caller can cause by being wrong is logged as an error or with a stack.
      const errors = lines.filter((l) => l.level === 'error' || l.level === 'fatal');
      expect(errors).toEqual([]);
      expect(lines.filter((l) => l.err?.stack || l.stack)).toEqual([]);
      // Every access line names its request.
      const access = lines.filter((l) => l.msg === 'request completed' || l.msg === 'request failed');
      for (const line of access) expect(line.requestId).toEqual(expect.any(String));
    }
    const refusal = jsonLines(stack.subgraphs.keys.proc).find(
      (l) => l.msg === 'refused' && l.requestId === `${requestId}-refused`,
    );
    expect(refusal).toMatchObject({ level: 'info', code: 'UNAUTHENTICATED', service: 'keys' });
    const gatewayRefused = jsonLines(stack.gateway).find(
      (l) => l.msg === 'request completed' && l.requestId === `${requestId}-refused`,
    );
    expect(gatewayRefused).toMatchObject({ level: 'info', operation: 'Login', errors: ['UNAUTHENTICATED'] });
  });
});
