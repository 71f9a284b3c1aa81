// Client SDK: 1,000 @licensing/client leases in one process against the runtime endpoint of
// the platform from dist/ (keys, coupons, sessions, a gateway), the heartbeat interval
// shortened to BENCH_SDK_INTERVAL seconds (default 2) for the run:
//   cpu per client      CPU time of the SDK process per client per second of holding (µs/s),
//                       and per heartbeat (µs), over BENCH_SECONDS (default 20) of steady state
//   memory per client   heap and RSS after a GC, minus before the clients were made (KiB)
//   heartbeat p50/p99   round trips the clients see (request to verified answer, ms)
//   offline / lost      events while measuring (0 expected)
// The ceiling is the same fleet as bare node:http requests in the same run (one keep-alive
// socket per app, no signature verification, no events): what holding 1,000 seats costs
// without the SDK. Figures are reported, never asserted; the machine is shared.
const { fork } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const path = require('node:path');
const { startPlatform } = require('../lib/platform');
const { percentile, round } = require('../lib/stats');

const NAME = 'client SDK: 1,000 leases in one process';
const CLIENTS = Number(process.env.BENCH_SDK_CLIENTS || 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS || 20);
const INTERVAL = String(process.env.BENCH_SDK_INTERVAL || 2);
const PREFIX = 'BSDK';

function fleet(opts) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'sdk-fleet-worker.js'), [], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result;
    const killer = setTimeout(() => child.kill('SIGKILL'), (opts.seconds + 240) * 1000);
    child.once('message', (m) => (result = m));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(killer);
      if (result && !result.error) resolve(result);
      else reject(new Error(result?.error || `fleet worker exited (${signal || code}) without a result`));
    });
    child.send(opts);
  });
}

function figures(r, clients) {
  const cpuMicros = r.cpu.user + r.cpu.system;
  const sorted = [...r.rtts].sort((a, b) => a - b);
  return {
    'heartbeats/s': round(r.counts.renewed / r.elapsed, 1),
    'cpu % of a core': round((cpuMicros / (r.elapsed * 1e6)) * 100, 1),
    'cpu µs per client per s': round(cpuMicros / r.elapsed / clients, 1),
    'cpu µs per heartbeat': r.counts.renewed ? round(cpuMicros / r.counts.renewed, 1) : 'n/a',
    'heap KiB per client': round((r.after.heap - r.before.heap) / 1024 / clients, 2),
    'rss KiB per client': round((r.after.rss - r.before.rss) / 1024 / clients, 2),
    'heartbeat p50 ms': round(percentile(sorted, 50)),
    'heartbeat p99 ms': round(percentile(sorted, 99)),
    'offline events': r.counts.offline,
    'lost events': r.counts.lost,
  };
}

async function run({ root }) {
  const platform = await startPlatform(
    root,
    ['keys', 'coupons', 'sessions'],
    {
      RUNTIME_RATE_LIMIT_PER_MINUTE: '1000000000',
      HEARTBEAT_INTERVAL_SECONDS: INTERVAL,
      OUTBOX_POLL_MS: '20',
      // The platform runs as in production, where the signing keys' sealing key is required.
      SIGNING_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    },
    { APP_RATE_LIMIT_PER_MINUTE: '1000000000' },
  );
  try {
    const { gql, operatorToken } = platform;
    const url = platform.urls.sessions;
    const { createVendor } = await gql(
      operatorToken,
      `mutation { createVendor(input: { prefix: "${PREFIX}", name: "Bench SDK" }) { apiKey } }`,
    );
    const apiKey = createVendor.apiKey;
    await gql(
      apiKey,
      'mutation { createProduct(input: { code: "APP", name: "App", licenseModel: CONCURRENT_SESSIONS }) { id } }',
    );
    const { createLicenseKey } = await gql(
      apiKey,
      'mutation { createLicenseKey(input: { client: { company: "Bench SDK" } }) { code } }',
    );
    const keyCode = createLicenseKey.code;
    const { generateCoupons } = await gql(
      apiKey,
      'mutation($input: GenerateCouponsInput!) { generateCoupons(input: $input) { coupons { edges { node { code } } } } }',
      {
        input: {
          type: 'ADD_PRODUCT',
          count: 1,
          products: [{ productCode: 'APP', periodDays: 365, seats: 2 * CLIENTS }],
        },
      },
    );
    const couponCode = generateCoupons.coupons.edges[0].node.code;
    for (let attempt = 0; ; attempt++) {
      try {
        await gql(null, 'mutation($input: ActivateCouponInput!) { activateCoupon(input: $input) { id } }', {
          input: { keyCode, couponCode },
        });
        break;
      } catch (error) {
        if (attempt > 300) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${url}/runtime/v1/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ keyCode, productCode: 'APP' }),
      });
      if ((await res.json()).active === true) break;
      if (attempt > 300) throw new Error('the license never reached the sessions service');
      await new Promise((r) => setTimeout(r, 100));
    }
    const opts = { root, url, keyCode, productCode: 'APP', clients: CLIENTS, seconds: SECONDS };
    const sdk = figures(await fleet(opts), CLIENTS);
    const bare = figures(await fleet({ ...opts, mode: 'bare' }), CLIENTS);
    return {
      name: NAME,
      metrics: { clients: CLIENTS, 'heartbeat interval s': Number(INTERVAL), ...sdk },
      ceiling: bare,
    };
  } finally {
    await platform.stop();
  }
}

module.exports = { name: NAME, run, timeoutSeconds: 600 };
