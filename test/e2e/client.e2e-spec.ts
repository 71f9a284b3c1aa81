import { ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Lease, LicensingClient, LicensingError, LostEvent } from '@licensing/client';
import { eventually, testInfrastructure } from '@licensing/testing';
import { contractOperation } from '../support/contract';
import { ROOT, spawnService, waitForHealth } from '../support/processes';
import { startTestStack, TestStack } from '../support/stack';

/** The SDK as `npm run build` compiles it (the CLI and child processes run it from there). */
const SDK_DIST = join(ROOT, 'dist', 'packages', 'client', 'src');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Vendor {
  id: string;
  apiKey: string;
  prefix: string;
  distributorId: string;
}

const SESSIONS_ENV = {
  // Short intervals for the tests: products without their own interval heartbeat every second
  // (a 3 s lease); SLOW sets 20 s (a 60 s lease: room for a restart of the service on a busy
  // machine, which outlasted a 15 s lease in one CI run and a 30 s one in another, while the
  // fuzz suite ran beside it on a slow VM).
  HEARTBEAT_INTERVAL_SECONDS: '1',
  SWEEP_INTERVAL_MS: '200',
  RUNTIME_RATE_LIMIT_PER_MINUTE: '1000000',
};

/** Resolves with the first `event` of `lease`, rejects after `ms`. */
function next<T extends unknown[]>(lease: Lease, event: string, ms = 20_000): Promise<T> {
  return once(lease, event, { signal: AbortSignal.timeout(ms) }) as Promise<T>;
}

async function refusal(promise: Promise<unknown>): Promise<LicensingError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LicensingError);
  return error as LicensingError;
}

describe('@licensing/client against the real stack', () => {
  let stack: TestStack;
  let acme: Vendor;
  let globex: Vendor;
  const productIds: Record<string, string> = {};
  const clients: LicensingClient[] = [];
  const leases: Lease[] = [];
  const children: ChildProcess[] = [];

  const call = (name: string, variables: Record<string, unknown>, token?: string) =>
    stack.call(contractOperation(name), variables, token);

  const runtimeUrl = () => stack.subgraphs.sessions.baseUrl;

  function client(keyCode: string, productCode: string, fingerprint = 'sdk-host-1'): LicensingClient {
    const c = new LicensingClient({
      url: runtimeUrl(),
      keyCode,
      productCode,
      host: { fingerprint },
      minRetryMs: 200,
      maxRetryMs: 1_000,
      timeoutMs: 2_000,
      releaseOnExit: false,
    });
    clients.push(c);
    return c;
  }

  async function acquire(c: LicensingClient): Promise<Lease> {
    const lease = await c.acquire();
    leases.push(lease);
    return lease;
  }

  /** A key of `vendor` with licenses of `products` (an ADD_PRODUCT coupon activated from the cabinet). */
  async function keyWith(vendor: Vendor, products: { productCode: string; seats: number }[]): Promise<string> {
    const key = (await call('CreateLicenseKey', { input: { client: { company: 'SDK test' } } }, vendor.apiKey)).data![
      'createLicenseKey'
    ] as { code: string };
    const batch = await call(
      'GenerateCoupons',
      {
        input: {
          type: 'ADD_PRODUCT',
          distributorId: vendor.distributorId,
          products: products.map((p) => ({ ...p, periodDays: 365 })),
        },
      },
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
    for (const p of products) {
      await eventually(
        async () =>
          (await call('CheckLicense', { input: { keyCode: key.code, productCode: p.productCode } })).data?.[
            'checkLicense'
          ]?.active,
        { what: `${p.productCode} in force`, intervalMs: 50 },
      );
    }
    return key.code;
  }

  async function setInterval(productCode: string, seconds: number | null): Promise<void> {
    const res = await stack.call(
      `mutation($input: SetProductHeartbeatIntervalInput!) { setProductHeartbeatInterval(input: $input) { heartbeatIntervalSeconds } }`,
      { input: { productId: productIds[productCode], seconds } },
      acme.apiKey,
    );
    expect(res.errors).toBeUndefined();
  }

  /** Stops the sessions service (the runtime endpoint goes away); restart() brings it back on the same port. */
  async function stopSessions(): Promise<{ restart(): Promise<void> }> {
    const sessions = stack.subgraphs.sessions;
    await sessions.process.stop('SIGTERM');
    return {
      restart: async () => {
        const infra = await testInfrastructure();
        const port = Number(new URL(sessions.baseUrl).port);
        const proc = spawnService('sessions', {
          NODE_ENV: 'test',
          PORT: String(port),
          DATABASE_URL: sessions.database.url,
          REDIS_URL: infra.redisUrl,
          KAFKA_BROKERS: infra.kafkaBrokers.join(','),
          KAFKA_TOPIC_PREFIX: sessions.topicPrefix,
          IDENTITY_SIGNING_SECRET: stack.secrets.identitySigningSecret,
          ACCESS_TOKEN_SECRET: stack.secrets.accessTokenSecret,
          LOG_LEVEL: 'warn',
          OUTBOX_POLL_MS: '100',
          THROTTLE_NAMESPACE: `t-${sessions.topicPrefix.replace(/\W/g, '')}`,
          ...SESSIONS_ENV,
        });
        // The stack stops what its subgraph record holds: the new process from now on.
        sessions.process = proc;
        await waitForHealth(proc, port);
      },
    };
  }

  beforeAll(async () => {
    stack = await startTestStack({ sessions: SESSIONS_ENV });
    const vendor = async (prefix: string): Promise<Vendor> => {
      const res = await call('CreateVendor', { input: { prefix, name: prefix } }, stack.operatorToken);
      return {
        id: res.data!['createVendor'].vendor.id,
        apiKey: res.data!['createVendor'].apiKey,
        prefix,
        distributorId: '',
      };
    };
    [acme, globex] = await Promise.all([vendor('SDKA'), vendor('SDKB')]);
    await call(
      'CreateProduct',
      { input: { code: 'PBX-CORE', name: 'PBX core', licenseModel: 'HOST_BINDING' } },
      acme.apiKey,
    );
    for (const code of ['DESK', 'SLOW', 'RAISE']) {
      const res = await call(
        'CreateProduct',
        { input: { code, name: code, licenseModel: 'CONCURRENT_SESSIONS' } },
        acme.apiKey,
      );
      productIds[code] = res.data!['createProduct'].id;
    }
    await call(
      'CreateProduct',
      { input: { code: 'DESK', name: 'Globex desk', licenseModel: 'CONCURRENT_SESSIONS' } },
      globex.apiKey,
    );
    for (const v of [acme, globex]) {
      v.distributorId = (await call('CreateDistributor', { input: { name: 'SDK partner' } }, v.apiKey)).data![
        'createDistributor'
      ].id;
    }
    await setInterval('SLOW', 20);
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.allSettled(leases.map((l) => l.release()));
    for (const c of clients) c.close();
    await stack?.close();
  });

  it('two clients on a 1-seat key: the second gets 1051, and acquires once the first released', async () => {
    const keyCode = await keyWith(acme, [{ productCode: 'DESK', seats: 1 }]);
    const first = await acquire(client(keyCode, 'DESK', 'host-a'));
    expect(first).toMatchObject({ state: 'online', valid: true, heartbeatIntervalSeconds: 1 });
    expect(first.sessionId).toMatch(UUID);
    expect(first.claims).toMatchObject({ sub: first.sessionId, keyCode, productCode: 'DESK', seats: 1 });
    expect(first.license).toMatchObject({ kind: 'MAIN', seats: 1, product: { code: 'DESK' } });

    const second = client(keyCode.toLowerCase(), 'DESK', 'host-b');
    const refused = await refusal(second.acquire());
    expect(refused).toMatchObject({ code: 'NO_FREE_LICENSE', licensingCode: 1051, status: 409, retriable: false });

    await first.release();
    expect(first.state).toBe('released');
    expect(first.valid).toBe(false);
    const taken = await acquire(second);
    expect(taken.valid).toBe(true);
    expect(taken.sessionId).not.toBe(first.sessionId);
  });

  it('check(): the answer, its request id (found by support) and a verified signature; 2008 for a product not on the key', async () => {
    const keyCode = await keyWith(acme, [{ productCode: 'DESK', seats: 2 }]);
    const result = await client(keyCode, 'DESK').check();
    expect(result).toMatchObject({ active: true, reason: null, keyCode, productCode: 'DESK' });
    expect(result.requestId).toMatch(UUID);
    expect(result.claims).toMatchObject({ requestId: result.requestId, active: true, keyCode });
    const found = await call('LicenseCheck', { requestId: result.requestId }, acme.apiKey);
    expect(found.data!['licenseCheck']).toMatchObject({ requestId: result.requestId, active: true });

    const inactive = await client(keyCode, 'SLOW').check();
    expect(inactive).toMatchObject({ active: false, reason: 'NO_LICENSE' });
    const notOnKey = await refusal(client(keyCode, 'SLOW').acquire());
    expect(notOnKey).toMatchObject({ code: 'LICENSE_NOT_ON_KEY', licensingCode: 2008, status: 403 });
    const badKey = await refusal(client('SDKA-0000', 'DESK').acquire());
    expect(badKey.status).toBe(400);
    expect(badKey.field).toBe('keyCode');
  });

  it('offline verification refuses a token with one changed byte and one signed by another vendor', async () => {
    const acmeKey = await keyWith(acme, [{ productCode: 'DESK', seats: 2 }]);
    const globexKey = await keyWith(globex, [{ productCode: 'DESK', seats: 2 }]);
    const acmeClient = client(acmeKey, 'DESK');
    const lease = await acquire(acmeClient);
    expect(acmeClient.keys.fetches).toBe(1);
    expect(await acmeClient.verifyLease(lease.token)).toMatchObject({ sub: lease.sessionId });

    const [h, p, s] = lease.token.split('.') as [string, string, string];
    const i = 12;
    const changed = `${h}.${p.slice(0, i)}${p[i] === 'a' ? 'b' : 'a'}${p.slice(i + 1)}.${s}`;
    expect((await refusal(acmeClient.verifyLease(changed))).code).toBe('INVALID_SIGNATURE');

    const foreign = await acquire(client(globexKey, 'DESK'));
    const refused = await refusal(acmeClient.verifyLease(foreign.token));
    expect(refused.code).toBe('INVALID_SIGNATURE');
    // The unknown kid fetched the JWKS once more, and only once.
    expect(acmeClient.keys.fetches).toBe(2);
    await refusal(acmeClient.verifyLease(foreign.token));
    expect(acmeClient.keys.fetches).toBe(2);

    const check = await acmeClient.check();
    expect(await acmeClient.verifyCheck(check.signature!)).toMatchObject({ requestId: check.requestId });
    const globexCheck = await client(globexKey, 'DESK').check();
    expect((await refusal(acmeClient.verifyCheck(globexCheck.signature!))).code).toBe('INVALID_SIGNATURE');
    // A check signature does not pass as a lease.
    expect((await refusal(acmeClient.verifyLease(check.signature!))).code).toBe('INVALID_SIGNATURE');
  });

  it('a session terminated from the cabinet is reported lost at the next heartbeat', async () => {
    const keyCode = await keyWith(acme, [{ productCode: 'DESK', seats: 1 }]);
    const lease = await acquire(client(keyCode, 'DESK'));
    const lost = next<[LostEvent]>(lease, 'lost', 10_000);
    const terminatedAt = Date.now();
    expect((await call('TerminateSession', { id: lease.sessionId }, acme.apiKey)).data).toEqual({
      terminateSession: true,
    });
    const [event] = await lost;
    expect(event).toMatchObject({ reason: 'terminated', code: 'SESSION_ENDED', detail: 'TERMINATED' });
    expect(Date.now() - terminatedAt).toBeLessThan(lease.heartbeatIntervalSeconds * 1000 + 1_500);
    expect(lease).toMatchObject({ state: 'lost', valid: false });
  });

  it('keeps its lease token while it outlives two more heartbeats and renews it then: about every other heartbeat signs', async () => {
    const keyCode = await keyWith(acme, [{ productCode: 'DESK', seats: 1 }]);
    const sdk = client(keyCode, 'DESK', 'host-renew');
    const lease = await acquire(sdk);
    const tokens = [lease.token];
    lease.on('renewed', () => tokens.push(lease.token));
    await eventually(() => tokens.length >= 7, { what: 'six heartbeats', timeoutMs: 15_000 });
    const renewals = tokens.slice(1).filter((t, i) => t !== tokens[i]).length;
    // A 3 s lease at 1 s heartbeats: kept at one, renewed at the next.
    expect(renewals).toBeGreaterThanOrEqual(2);
    expect(renewals).toBeLessThanOrEqual(4);
    expect(lease).toMatchObject({ state: 'online', valid: true });
    expect(lease.expiresAt.getTime()).toBeGreaterThan(Date.now() + 500);
    await expect(sdk.verifyLease(lease.token)).resolves.toMatchObject({ sub: lease.sessionId });
  });

  it('follows a heartbeat interval the server raises', async () => {
    const keyCode = await keyWith(acme, [{ productCode: 'RAISE', seats: 1 }]);
    const lease = await acquire(client(keyCode, 'RAISE'));
    expect(lease.heartbeatIntervalSeconds).toBe(1);
    const beats: { at: number; interval: number }[] = [];
    lease.on('renewed', (r) => beats.push({ at: Date.now(), interval: r.heartbeatIntervalSeconds }));
    await eventually(() => beats.length >= 2, { what: 'two heartbeats at 1 s' });
    expect(beats[1]!.at - beats[0]!.at).toBeLessThan(1_500);
    try {
      await setInterval('RAISE', 5);
      const raised = await eventually(() => beats.findIndex((b) => b.interval === 5) + 1, {
        what: 'an answer with 5 s',
        timeoutMs: 15_000,
      });
      const sinceRaised = beats.length;
      await eventually(() => beats.length >= sinceRaised + 3, { what: 'two heartbeats at 5 s', timeoutMs: 20_000 });
      const all = beats.slice(raised).map((b, k) => b.at - beats[raised - 1 + k]!.at);
      // A lease token kept by the answer that raised the interval would not reach the next
      // heartbeat: one heartbeat renews it at once. Then the jitter (10%) makes them a little
      // earlier than the interval, never later.
      expect(all.filter((gap) => gap < 1_000).length).toBeLessThanOrEqual(1);
      const gaps = all.filter((gap) => gap >= 1_000);
      for (const gap of gaps.slice(0, 2)) {
        expect(gap).toBeGreaterThanOrEqual(4_400);
        expect(gap).toBeLessThan(5_600);
      }
      expect(lease.valid).toBe(true);
    } finally {
      await setInterval('RAISE', null);
    }
  }, 60_000);

  it('an outage shorter than the lease: licensed and offline, then online on the same session', async () => {
    const keyCode = await keyWith(acme, [{ productCode: 'SLOW', seats: 1 }]);
    const lease = await acquire(client(keyCode, 'SLOW'));
    expect(lease.heartbeatIntervalSeconds).toBe(20);
    const lost: LostEvent[] = [];
    lease.on('lost', (e) => lost.push(e));
    const sessionId = lease.sessionId;
    await next(lease, 'renewed', 25_000);

    const offline = next<[LicensingError]>(lease, 'offline', 25_000);
    const outage = await stopSessions();
    const [error] = await offline;
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', retriable: true });
    expect(lease).toMatchObject({ state: 'offline', valid: true, online: false });
    expect(lease.expiresAt.getTime()).toBeGreaterThan(Date.now());

    const online = next(lease, 'online', 60_000);
    await outage.restart();
    await online;
    expect(lost).toEqual([]);
    expect(lease).toMatchObject({ state: 'online', valid: true, sessionId });
  }, 150_000);

  it('an outage longer than the lease: lost with expired at the lease’s end, re-acquired when the service is back', async () => {
    const keyCode = await keyWith(acme, [{ productCode: 'DESK', seats: 1 }]);
    const lease = await acquire(client(keyCode, 'DESK'));
    const firstSession = lease.sessionId;
    const offline = next(lease, 'offline', 10_000);
    const lost = next<[LostEvent]>(lease, 'lost', 15_000);
    const outage = await stopSessions();
    await offline;
    expect(lease.valid).toBe(true);
    const deadline = lease.expiresAt.getTime();
    const [event] = await lost;
    const lostAt = Date.now();
    expect(event.reason).toBe('expired');
    // Licensed offline until the lease's expiry, never longer.
    expect(lostAt).toBeGreaterThanOrEqual(deadline);
    expect(lostAt - deadline).toBeLessThan(500);
    expect(lease.valid).toBe(false);
    expect(['lost', 'reacquiring']).toContain(lease.state);

    const acquired = next(lease, 'acquired', 40_000);
    await outage.restart();
    await acquired;
    expect(lease).toMatchObject({ state: 'online', valid: true });
    expect(lease.sessionId).not.toBe(firstSession);
    await next(lease, 'renewed', 5_000);
  }, 90_000);

  describe('the CLI and release on exit (the compiled package in its own process)', () => {
    function run(args: string[], env: Record<string, string> = {}, cwd = ROOT) {
      const child = spawn(process.execPath, args, {
        cwd,
        env: { PATH: process.env['PATH'] ?? '', LICENSING_URL: runtimeUrl(), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      return { child, output: () => out, exited };
    }

    it('check prints the request id support finds; exit status 2 when not in force', async () => {
      const keyCode = await keyWith(acme, [{ productCode: 'DESK', seats: 1 }]);
      const ok = run([join(SDK_DIST, 'cli.js'), 'check', '--key', keyCode, '--product', 'DESK']);
      expect((await ok.exited)[0]).toBe(0);
      const requestId = /request id: (\S+)/.exec(ok.output())?.[1];
      expect(requestId).toMatch(UUID);
      expect(ok.output()).toContain('signature: verified');
      const found = await call('LicenseCheck', { requestId }, acme.apiKey);
      expect(found.data!['licenseCheck']).toMatchObject({ requestId, productCode: 'DESK', active: true });

      const inactive = run([join(SDK_DIST, 'cli.js'), 'check', '--key', keyCode, '--product', 'SLOW']);
      expect((await inactive.exited)[0]).toBe(2);
      expect(inactive.output()).toMatch(/not active \(NO_LICENSE\)[\s\S]*request id: [0-9a-f-]{36}/);
    });

    it('acquire --hold keeps the seat, and SIGTERM releases it before the process ends', async () => {
      const keyCode = await keyWith(acme, [{ productCode: 'SLOW', seats: 1 }]);
      const cli = run([join(SDK_DIST, 'cli.js'), 'acquire', '--hold', '60s', '--product', 'SLOW'], {
        LICENSE_KEY: keyCode,
      });
      await eventually(() => /acquired session/.test(cli.output()), { what: 'the CLI acquired', timeoutMs: 20_000 });
      const other = client(keyCode, 'SLOW', 'host-other');
      expect((await refusal(other.acquire())).licensingCode).toBe(1051);
      cli.child.kill('SIGTERM');
      const [, signal] = await cli.exited;
      expect(signal).toBe('SIGTERM');
      // The 60 s lease has not run out: the seat is free because it was released.
      expect((await acquire(other)).valid).toBe(true);
    });

    it('a process that only holds a lease ends by itself (unref’d timers) and releases on beforeExit', async () => {
      const keyCode = await keyWith(acme, [{ productCode: 'SLOW', seats: 1 }]);
      const script = `
        const { LicensingClient } = require(${JSON.stringify(SDK_DIST)});
        const client = new LicensingClient({ url: process.env.LICENSING_URL, keyCode: process.env.LICENSE_KEY, productCode: 'SLOW' });
        client.acquire().then((lease) => console.log('acquired ' + lease.sessionId));`;
      const started = Date.now();
      const app = run(['-e', script], { LICENSE_KEY: keyCode });
      const [code] = await app.exited;
      expect(code).toBe(0);
      expect(app.output()).toMatch(/acquired [0-9a-f-]{36}/);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect((await acquire(client(keyCode, 'SLOW', 'host-next'))).valid).toBe(true);
    });

    it('the README example runs as written: licensed, a check recorded, and it ends by itself', async () => {
      const packageDir = join(ROOT, 'packages', 'client');
      // The published build (package.json "exports"), as `npm run build` makes it; asynchronously, so the
      // gateway in this process keeps answering.
      await promisify(execFile)(
        process.execPath,
        [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
        {
          cwd: packageDir,
        },
      );
      const keyCode = await keyWith(acme, [{ productCode: 'PBX-CORE', seats: 1 }]);
      const example = run([join('examples', 'licensed.mjs')], { LICENSE_KEY: keyCode }, packageDir);
      const [code] = await example.exited;
      expect(example.output()).toMatch(/^licensed until \S+Z, check [0-9a-f-]{36}\n$/);
      expect(code).toBe(0);
      const requestId = /check (\S+)/.exec(example.output())![1];
      const found = await call('LicenseCheck', { requestId }, acme.apiKey);
      expect(found.data!['licenseCheck']).toMatchObject({ requestId, productCode: 'PBX-CORE', active: true });
    });
  });
});
