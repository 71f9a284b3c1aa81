// Sessions: the runtime endpoint (/runtime/v1/*) against the http+Redis ceiling measured in
// the same run (the ceiling's server at the same 100 connections right before each phase it
// is compared with, and ceilings/http-redis at 1,000), on the platform from dist/ (keys,
// coupons, sessions and a gateway):
//   heartbeat          1,000 live sessions (CONCURRENT_SESSIONS), 100 connections: req/s and
//                      its ratio to the ceiling (target ≥ 50%) of heartbeats that keep the
//                      lease token (renewToken: false; the contract's Heartbeat selects no
//                      token), and next to it those asking for a new lease and the SDK's mix
//                      (every other renews); p99 at 2,000 heartbeats/s of that mix offered
//                      (target ≤ 20 ms)
//   acquire+release    each connection acquires and releases in turn (target ≥ 30%)
//   check              recorded and signed (target ≥ 30%)
//   gateway heartbeat  the same heartbeats as the GraphQL mutation through the gateway, and
//                      its ratio to the runtime endpoint
//   keys → check       a trial committed by the keys service (activateTrial answered) until
//                      the next runtime check shows it active (p99 target ≤ 100 ms)
//   memory             100,000 more live sessions: Redis INFO used_memory before and after
//                      (the Redis is shared, so also the MEMORY USAGE of this run's own keys)
//                      (target ≤ 100 MB)
// Each measured phase starts once the previous one's events are published (settle()).
// Rate limits are raised for the run; BENCH_CPU_PROF=<dir> profiles the services. Figures are reported, never asserted; on a shared
// machine they are noisy.
const { fork } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { once } = require('node:events');
const path = require('node:path');
const Redis = require('ioredis');
const { Client } = require('pg');
const { loadTest } = require('../lib/load');
const { startPlatform, summarize } = require('../lib/platform');
const { round, withTimeout } = require('../lib/stats');

const NAME = 'sessions: runtime endpoint vs the http+Redis ceiling';
const SECONDS = Number(process.env.BENCH_SECONDS || 8);
const CONNECTIONS = 100;
const LIVE_SESSIONS = 1_000;
const OFFERED_RATE = 2_000;
const KEY_TO_CHECK_SAMPLES = Number(process.env.BENCH_KEY_TO_CHECK || 100);
const MEMORY_SESSIONS = Number(process.env.BENCH_MEMORY_SESSIONS || 100_000);
const REDIS_URL = 'redis://127.0.0.1:6379';
const PREFIX = 'BSES';

function runtimeLoad(opts) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'runtime-load-worker.js'), [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let summary;
    const limit = (opts.duration || 300) + 60;
    const killer = setTimeout(() => child.kill('SIGKILL'), limit * 1000);
    child.once('message', (m) => (summary = m));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(killer);
      if (summary && !summary.error) resolve(summary);
      else reject(new Error(summary?.error || `load worker exited (${signal || code}) without a result`));
    });
    child.send({ connections: CONNECTIONS, duration: SECONDS, ...opts });
  });
}

/**
 * The ceiling's own server, loaded like the runtime endpoint: 100 connections (measured again
 * right before each phase it is compared with: on a shared VM it moves by a third within a
 * run), and the same paced 2,000 requests a second as the heartbeats (the machine's own
 * latency floor at that rate).
 */
async function startCeiling() {
  const server = fork(path.join(__dirname, '..', 'ceilings', 'http-redis-server.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [{ port }] = await withTimeout(once(server, 'message'), 20_000, 'http-redis server');
  const url = `http://127.0.0.1:${port}`;
  return {
    throughput: async () =>
      (await loadTest({ url: `${url}/heartbeat`, connections: CONNECTIONS, seconds: SECONDS })).requestsPerSecond,
    paced: () => runtimeLoad({ mode: 'paced', url, path: '/heartbeat', bodies: ['{}'], overallRate: OFFERED_RATE }),
    stop: async () => {
      const exit = once(server, 'exit');
      server.kill('SIGTERM');
      await withTimeout(exit, 10_000, 'http-redis server stop').catch(() => server.kill('SIGKILL'));
    },
  };
}

/** Set once the platform runs: who of it exited and what it said, for a failed request. */
let diagnose = () => '';

async function post(base, op, body) {
  const res = await fetch(`${base}/runtime/v1/${op}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).catch((error) => {
    throw new Error(`${op}: ${error.message}${error.cause ? ` (${error.cause.message})` : ''}; ${diagnose()}`);
  });
  return { status: res.status, body: await res.json() };
}

async function until(probe, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A key's kind: its name with ids and numbers masked (`…:session:<id>`). */
const kindOf = (key, prefix) =>
  key
    .slice(prefix.length)
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/[0-9A-Z]{4}(-[0-9A-Z]{5}){4}/g, '<code>')
    .replace(/\d+/g, '<n>');

/**
 * Keys of this run under `prefix`: their count, the sum of MEMORY USAGE, and the bytes per
 * kind of key (the session event stream apart: it holds events until the relay has sent them).
 */
async function ownKeys(redis, prefix, remove = false) {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  const kinds = {};
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (!batch.length) continue;
    keys += batch.length;
    if (remove) {
      await redis.unlink(...batch);
      continue;
    }
    const pipeline = redis.pipeline();
    for (const key of batch) pipeline.memory('USAGE', key);
    const sizes = await pipeline.exec();
    batch.forEach((key, i) => {
      const size = Number(sizes[i][1]) || 0;
      const kind = kindOf(key, prefix);
      kinds[kind] = (kinds[kind] || 0) + size;
      if (kind !== ':events') bytes += size;
    });
  } while (cursor !== '0');
  return { keys, bytes, stream: kinds[':events'] || 0, kinds };
}

/**
 * Waits until what the last phase left behind has been published (the sessions outbox and the
 * session event stream are empty), then a second more: a phase measured while the relays still
 * publish the previous one's events, or while the keys and coupons relays poll every few
 * milliseconds, measured the machine's leftovers as much as itself (the same phase read 0.42
 * and 0.66 of the ceiling from one run to the next).
 */
async function settle(db, redis, redisPrefix) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM outbox WHERE status = 'PENDING'`);
    const stream = await redis.xlen(`${redisPrefix}:events`);
    if ((rows[0].n === 0 && stream === 0) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 1_000));
}

const usedMemory = async (redis) => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))[1]);
const ratio = (a, b) => (b ? round(a / b, 3) : 'n/a');

async function run({ root, ceilings }) {
  const platform = await startPlatform(
    root,
    ['keys', 'coupons', 'sessions'],
    {
      RUNTIME_RATE_LIMIT_PER_MINUTE: '1000000000',
      SIGNING_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      // BENCH_CPU_PROF=<dir>: each service writes a V8 CPU profile there when it stops;
      // BENCH_NODE_ARGS: other node options for the services (e.g. --trace-gc, with BENCH_SERVICE_LOGS).
      NODE_ARGS: [
        process.env.BENCH_CPU_PROF ? `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF}` : '',
        process.env.BENCH_NODE_ARGS ?? '',
      ]
        .join(' ')
        .trim(),
    },
    { APP_RATE_LIMIT_PER_MINUTE: '1000000000' },
  );
  diagnose = platform.diagnose;
  const redis = new Redis(REDIS_URL);
  const redisPrefix = `sessions:${platform.topicPrefix.replace(/[.:]+$/, '')}`;
  const runtime = platform.urls.sessions;
  const db = new Client({ connectionString: platform.databaseUrl('sessions') });
  await db.connect();
  const quiet = () => settle(db, redis, redisPrefix);
  let stopCeiling;
  try {
    const { gql, operatorToken } = platform;
    const { createVendor } = await gql(
      operatorToken,
      `mutation { createVendor(input: { prefix: "${PREFIX}", name: "Bench sessions" }) { apiKey } }`,
    );
    const apiKey = createVendor.apiKey;
    for (const [code, model] of [
      ['DESK', 'CONCURRENT_SESSIONS'],
      ['TRY', 'CONCURRENT_SESSIONS'],
    ]) {
      await gql(
        apiKey,
        `mutation { createProduct(input: { code: "${code}", name: "${code}", licenseModel: ${model} }) { id } }`,
      );
    }
    const newKey = async () =>
      (await gql(apiKey, 'mutation { createLicenseKey(input: { client: { company: "Bench" } }) { id code } }'))
        .createLicenseKey;
    /** A key with `seats` of DESK, granted by an ADD_PRODUCT coupon, once the runtime sees them. */
    const keyWithSeats = async (seats) => {
      const key = await newKey();
      const { generateCoupons } = await gql(
        apiKey,
        `mutation($input: GenerateCouponsInput!) { generateCoupons(input: $input) { coupons { edges { node { code } } } } }`,
        { input: { type: 'ADD_PRODUCT', count: 1, products: [{ productCode: 'DESK', periodDays: 365, seats }] } },
      );
      const couponCode = generateCoupons.coupons.edges[0].node.code;
      await until(
        () =>
          gql(null, 'mutation($input: ActivateCouponInput!) { activateCoupon(input: $input) { id } }', {
            input: { keyCode: key.code, couponCode },
          }),
        'coupon activation',
      );
      await until(async () => {
        const { body } = await post(runtime, 'check', { keyCode: key.code, productCode: 'DESK' });
        return body.active === true;
      }, 'license in the sessions service');
      return key;
    };

    const fleet = await keyWithSeats(LIVE_SESSIONS + 2 * CONNECTIONS);
    const acquireBody = (key, i) => ({
      keyCode: key.code,
      productCode: 'DESK',
      host: { fingerprint: `bench-host-${i}`, name: `HOST-${i}`, os: 'Linux' },
      session: { infobase: 'Bench', user: `user-${i}` },
    });
    const sessionIds = [];
    for (let i = 0; i < LIVE_SESSIONS; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, (_, j) => post(runtime, 'acquire', acquireBody(fleet, i + j))),
      );
      for (const a of batch) {
        if (a.status !== 200) throw new Error(`acquire answered ${a.status}: ${JSON.stringify(a.body)}`);
        sessionIds.push(a.body.sessionId);
      }
    }
    // Heartbeats that keep the lease token the application holds (renewToken: false: the
    // contract's Heartbeat, which selects no token), ones that ask for a new lease, and the
    // mix an SDK fleet sends (it renews a token that does not outlive two more intervals:
    // with the default grace of 3 intervals, every other heartbeat).
    const kept = sessionIds.map((sessionId) => JSON.stringify({ sessionId, renewToken: false }));
    const renewed = sessionIds.map((sessionId) => JSON.stringify({ sessionId }));
    const fleetMix = sessionIds.flatMap((_, i) => [kept[i], renewed[(i + 1) % renewed.length]]);

    // Two seconds of the mix first, not measured: the first measured phase ran on a cold JIT
    // (kept heartbeats read 0.45 of the ceiling first and 0.76 in another run).
    await runtimeLoad({ mode: 'rotate', url: runtime, path: '/runtime/v1/heartbeat', bodies: fleetMix, duration: 2 });

    // Each throughput phase next to the ceiling measured right before it, both on a settled machine.
    const ceiling = await startCeiling();
    stopCeiling = ceiling.stop;
    const paired = async (options) => {
      await quiet();
      const ceilingRps = await ceiling.throughput();
      await quiet();
      const result = await runtimeLoad(options);
      return { ...result, ceiling: ceilingRps, ratio: ratio(result.requestsPerSecond, ceilingRps) };
    };
    const heartbeat = await paired({ mode: 'rotate', url: runtime, path: '/runtime/v1/heartbeat', bodies: kept });
    const heartbeatRenewed = await paired({
      mode: 'rotate',
      url: runtime,
      path: '/runtime/v1/heartbeat',
      bodies: renewed,
    });
    const heartbeatMix = await paired({
      mode: 'rotate',
      url: runtime,
      path: '/runtime/v1/heartbeat',
      bodies: fleetMix,
    });
    await quiet();
    const ceilingPaced = await ceiling.paced();
    await quiet();
    const offered = await runtimeLoad({
      mode: 'paced',
      url: runtime,
      path: '/runtime/v1/heartbeat',
      bodies: fleetMix,
      overallRate: OFFERED_RATE,
    });
    const acquireRelease = await paired({
      mode: 'acquire-release',
      url: runtime,
      body: JSON.stringify(acquireBody(fleet, 'churn')),
    });
    const check = await paired({
      mode: 'fixed',
      url: runtime,
      path: '/runtime/v1/check',
      body: JSON.stringify({ keyCode: fleet.code, productCode: 'DESK' }),
    });
    await ceiling.stop();
    stopCeiling = undefined;
    const gatewayUrl = new URL(platform.url);
    await quiet();
    const gateway = await runtimeLoad({
      mode: 'rotate',
      url: gatewayUrl.origin,
      path: gatewayUrl.pathname,
      bodies: sessionIds.map((sessionId) =>
        JSON.stringify({
          query: 'mutation Heartbeat($sessionId: ID!) { heartbeat(sessionId: $sessionId) { sessionId expiresAt } }',
          variables: { sessionId },
        }),
      ),
    });

    // A trial committed in the keys service until the next runtime check shows it.
    const latencies = [];
    for (let i = 0; i < KEY_TO_CHECK_SAMPLES; i++) {
      const key = await newKey();
      await until(
        async () => (await post(runtime, 'check', { keyCode: key.code, productCode: 'TRY' })).status === 200,
        'key in the sessions service',
      );
      await gql(null, 'mutation($input: ActivateTrialInput!) { activateTrial(input: $input) { active } }', {
        input: { keyCode: key.code, productCode: 'TRY' },
      });
      const committed = process.hrtime.bigint();
      for (;;) {
        const { body } = await post(runtime, 'check', { keyCode: key.code, productCode: 'TRY' });
        if (body.active) break;
        if (Number(process.hrtime.bigint() - committed) / 1e6 > 10_000) throw new Error('trial not seen within 10 s');
      }
      latencies.push(Number(process.hrtime.bigint() - committed) / 1e6);
    }
    const keyToCheck = summarize(latencies);

    // Memory of MEMORY_SESSIONS more live sessions.
    const pool = await keyWithSeats(MEMORY_SESSIONS);
    const memoryBefore = await usedMemory(redis);
    const ownBefore = await ownKeys(redis, redisPrefix);
    const filled = await runtimeLoad({
      mode: 'fixed',
      url: runtime,
      path: '/runtime/v1/acquire',
      body: JSON.stringify(acquireBody(pool, 'memory')),
      amount: MEMORY_SESSIONS,
      duration: undefined,
    });
    const memoryAfter = await usedMemory(redis);
    const ownAfter = await ownKeys(redis, redisPrefix);
    const acquired = filled.statuses['200'] || 0;
    const mb = (bytes) => round(bytes / 1024 / 1024, 1);

    const ceilings100 = [heartbeat, heartbeatRenewed, heartbeatMix, acquireRelease, check].map((r) => r.ceiling);
    return {
      name: NAME,
      metrics: {
        'ceiling req/s, 100 connections (before each phase)': `${Math.min(...ceilings100)}–${Math.max(...ceilings100)}`,
        'heartbeat req/s (1,000 sessions, 100 conn; lease kept)': heartbeat.requestsPerSecond,
        'heartbeat / ceiling (target ≥ 0.5)': heartbeat.ratio,
        'heartbeat p50 / p99 ms': `${heartbeat.latencyP50Ms} / ${heartbeat.latencyP99Ms}`,
        'heartbeat with a new lease each: req/s, / ceiling': `${heartbeatRenewed.requestsPerSecond}, ${heartbeatRenewed.ratio}`,
        'heartbeat, SDK mix (every other renews): req/s, / ceiling': `${heartbeatMix.requestsPerSecond}, ${heartbeatMix.ratio}`,
        'heartbeat at 2,000/s offered (SDK mix): req/s': offered.requestsPerSecond,
        'heartbeat at 2,000/s: p50 / p99 ms (target p99 ≤ 20)': `${offered.latencyP50Ms} / ${offered.latencyP99Ms}`,
        'ceiling at 2,000/s: p50 / p99 ms (this run)': `${ceilingPaced.latencyP50Ms} / ${ceilingPaced.latencyP99Ms}`,
        'acquire+release req/s (pairs ×2)': acquireRelease.requestsPerSecond,
        'acquire+release / ceiling (target ≥ 0.3)': acquireRelease.ratio,
        'check req/s (recorded, signed)': check.requestsPerSecond,
        'check / ceiling (target ≥ 0.3)': check.ratio,
        'gateway heartbeat req/s': gateway.requestsPerSecond,
        'gateway heartbeat p99 ms': gateway.latencyP99Ms,
        'gateway / runtime heartbeat': ratio(gateway.requestsPerSecond, heartbeat.requestsPerSecond),
        'keys commit → check p50 / p99 ms (target p99 ≤ 100)': `${keyToCheck.p50} / ${keyToCheck.p99}`,
        'live sessions added for memory': acquired,
        'Redis used_memory delta MB (shared Redis)': mb(memoryAfter - memoryBefore),
        'this run’s Redis keys MB before / after (no stream)': `${mb(ownBefore.bytes)} / ${mb(ownAfter.bytes)}`,
        'MB per 100,000 sessions (own keys; target ≤ 100)': acquired
          ? mb(((ownAfter.bytes - ownBefore.bytes) / acquired) * 100_000)
          : 'n/a',
        'event stream MB not yet relayed (after)': mb(ownAfter.stream),
        'bytes per session by key kind': Object.entries(ownAfter.kinds)
          .map(([kind, bytes]) => [kind, bytes - (ownBefore.kinds[kind] || 0)])
          .filter(([kind, bytes]) => kind !== ':events' && bytes > 0)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 4)
          .map(([kind, bytes]) => `${kind} ${Math.round(bytes / Math.max(1, acquired))}`)
          .join(', '),
        'refused or failed answers': [
          heartbeat,
          heartbeatRenewed,
          heartbeatMix,
          offered,
          acquireRelease,
          check,
          gateway,
          filled,
        ]
          .map((r) => r.non2xx + r.errors)
          .join(' / '),
      },
      ceiling: {
        'ceiling req/s, 100 connections (before each phase)': ceilings['http-redis']
          ? `${ceilings['http-redis'].requestsPerSecond} at 1,000 conn`
          : undefined,
        'heartbeat req/s (1,000 sessions, 100 conn; lease kept)': heartbeat.ceiling,
        'acquire+release req/s (pairs ×2)': acquireRelease.ceiling,
        'check req/s (recorded, signed)': check.ceiling,
      },
    };
  } finally {
    await stopCeiling?.().catch(() => undefined);
    await ownKeys(redis, redisPrefix, true).catch(() => undefined);
    redis.disconnect();
    await db.end().catch(() => undefined);
    await platform.stop();
  }
}

module.exports = { name: NAME, run, timeoutSeconds: 1_200 };
