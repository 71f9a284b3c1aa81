// Gateway throughput against its subgraphs called directly, in one run, 20 connections:
//   one subgraph: `{ keysInfo { service version } }` sent to the keys subgraph with a signed
//     identity header (as the gateway would sign it) and through the gateway with the
//     operator token; the gateway's req/s as a share of direct, and both p99s;
//   two subgraphs: the key card (keys fields and licenses, then the coupons subgraph's
//     activations with their coupons) through the gateway with a vendor API key, next to the
//     two requests the gateway makes for it, each sent directly: their serial rate
//     (1 / (1/keys + 1/coupons)) is what a gateway that costs nothing would reach.
// Each load runs BENCH_SECONDS (6) s, BENCH_RUNS (3) times, direct and gateway interleaved
// after a warm-up, so a noisy neighbour hits both. Targets (issue 13): gateway >= 50% of
// direct on the one-subgraph query, gateway p99 <= 50 ms. BENCH_CPU_PROF=<dir>: the gateway
// and the subgraphs write V8 CPU profiles there when they stop. Figures only, never asserted.
//
// CPU per request: each process's CPU time (user + system, /proc/<pid>/stat) over a load,
// divided by the requests answered. On this shared 2-core machine the gateway, the subgraph
// and the load generator compete for the same cores, so req/s mixes their costs with the
// neighbours' load; CPU per request is each process's own cost, and subgraph CPU / gateway
// CPU is the share of direct the gateway would reach with a core of its own.
const { readdirSync, readFileSync } = require('node:fs');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { startPlatform } = require('../lib/platform');
const { loadTest } = require('../lib/load');
const { round } = require('../lib/stats');

const RUNS = Number(process.env.BENCH_RUNS || 3);
const SECONDS = Number(process.env.BENCH_SECONDS || 6);
const CONNECTIONS = 20;

const INFO = '{ keysInfo { service version } }';
const CARD = `query LicenseKeyCard($code: String!) {
  licenseKey(code: $code) {
    id code createdAt comment
    client { company contactName phone email }
    licenses { id kind seats startsAt expiresAt active source product { code name licenseModel } }
    activations { id channel activatedAt deactivatedAt coupon { code type } }
  }
}`;
// The key card's two subgraph requests, as the gateway's query plan sends them.
const CARD_KEYS_PART = `query LicenseKeyCard__keys__0($code: String!) {
  licenseKey(code: $code) {
    __typename id code createdAt comment
    client { company contactName phone email }
    licenses { id kind seats startsAt expiresAt active source product { code name licenseModel } }
  }
}`;
const CARD_COUPONS_PART = `query LicenseKeyCard__coupons__1($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on LicenseKey { activations { id channel activatedAt deactivatedAt coupon { code type } } }
  }
}`;

async function until(probe, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The pid of the service process started with PORT=<port> (Linux /proc), or undefined. */
function pidListeningAs(port) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (env.includes(`PORT=${port}`) && cmd.includes('/src/main.js')) return Number(entry);
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}

/** CPU time (ms, user + system) a process has used so far; NaN when it cannot be read. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = 100; // USER_HZ on Linux

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rps = (runs) => runs.map((r) => r.requestsPerSecond);
const p99 = (runs) => runs.map((r) => round(r.latencyP99Ms));
const list = (xs) => xs.join(' / ');

async function run({ root }) {
  const secret = randomBytes(32).toString('hex');
  const profile = process.env.BENCH_CPU_PROF
    ? { NODE_ARGS: `--cpu-prof --cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}` }
    : {};
  const platform = await startPlatform(
    root,
    ['keys', 'coupons'],
    { IDENTITY_SIGNING_SECRET: secret, ...profile },
    { IDENTITY_SIGNING_SECRET: secret, ...profile },
  );
  try {
    require(path.join(root, 'scripts/runtime-paths.js')); // @licensing/* from dist
    const { signIdentityHeader, IDENTITY_HEADER } = require(path.join(root, 'dist/libs/identity/src/index.js'));
    const signed = (identity) => ({
      'content-type': 'application/json',
      [IDENTITY_HEADER]: signIdentityHeader(secret, {
        identity,
        requestId: randomBytes(8).toString('hex'),
        clientIp: '127.0.0.1',
      }),
    });
    const direct = async (base, headers, query, variables) => {
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
      });
      const body = await res.json();
      if (res.status !== 200 || body.errors) throw new Error(`direct ${base}: ${res.status} ${JSON.stringify(body)}`);
      return body.data;
    };

    // A vendor with one key that has a license and one activated coupon.
    const { gql, operatorToken } = platform;
    const { createVendor } = await gql(
      operatorToken,
      'mutation { createVendor(input: { prefix: "BNCH", name: "Bench" }) { apiKey } }',
    );
    const apiKey = createVendor.apiKey;
    await gql(
      apiKey,
      'mutation { createProduct(input: { code: "PBX", name: "PBX", licenseModel: HOST_BINDING }) { id } }',
    );
    const { createLicenseKey: key } = await gql(
      apiKey,
      'mutation { createLicenseKey(input: { client: { company: "Bench client", email: "c@example.com" } }) { id code } }',
    );
    const generate = `mutation($input: GenerateCouponsInput!) {
      generateCoupons(input: $input) { coupons(first: 1) { edges { node { code } } } } }`;
    await until(
      () =>
        gql(apiKey, generate, {
          input: { type: 'ADD_PRODUCT', products: [{ productCode: 'PBX', periodDays: 365, seats: 1 }], count: 1 },
        }).catch(() => undefined),
      'product in the coupons subgraph',
    ).then(async ({ generateCoupons }) => {
      const couponCode = generateCoupons.coupons.edges[0].node.code;
      const activate = 'mutation($input: ActivateCouponInput!) { activateCoupon(input: $input) { id } }';
      await until(
        () => gql(apiKey, activate, { input: { keyCode: key.code, couponCode } }).catch(() => undefined),
        'key in the coupons subgraph',
      );
    });
    const card = await until(async () => {
      const data = await gql(apiKey, CARD, { code: key.code });
      return data.licenseKey.licenses.length && data.licenseKey.activations.length ? data : undefined;
    }, 'license granted by the coupon');

    // What the gateway signs for this API key: resolved as the gateway does.
    const resolved = await fetch(`${platform.urls.keys}/internal/api-keys/resolve`, {
      method: 'POST',
      headers: signed({ kind: 'operator' }),
      body: JSON.stringify({ apiKey }),
    }).then((r) => r.json());
    const vendor = { kind: 'vendor', vendorId: resolved.vendorId, apiKeyId: resolved.apiKeyId };
    await direct(platform.urls.keys, signed({ kind: 'operator' }), INFO);
    const keysPart = await direct(platform.urls.keys, signed(vendor), CARD_KEYS_PART, { code: key.code });
    if (keysPart.licenseKey.code !== card.licenseKey.code) throw new Error('the direct key card part differs');
    const representations = [{ __typename: 'LicenseKey', id: key.id }];
    const couponsPart = await direct(platform.urls.coupons, signed(vendor), CARD_COUPONS_PART, { representations });
    if (couponsPart._entities[0].activations.length !== 1) throw new Error('the direct activations part differs');

    // The loads; direct headers are signed afresh for each (a signature lives 5 minutes).
    const gatewayLoad = (token, query, variables) => (seconds) =>
      loadTest({
        url: platform.url,
        connections: CONNECTIONS,
        seconds,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
    const directLoad = (base, identity, query, variables) => (seconds) =>
      loadTest({
        url: `${base}/graphql`,
        connections: CONNECTIONS,
        seconds,
        method: 'POST',
        headers: signed(identity),
        body: JSON.stringify({ query, variables }),
      });
    const loads = {
      infoDirect: directLoad(platform.urls.keys, { kind: 'operator' }, INFO),
      infoGateway: gatewayLoad(operatorToken, INFO),
      cardKeysDirect: directLoad(platform.urls.keys, vendor, CARD_KEYS_PART, { code: key.code }),
      cardCouponsDirect: directLoad(platform.urls.coupons, vendor, CARD_COUPONS_PART, { representations }),
      cardGateway: gatewayLoad(apiKey, CARD, { code: key.code }),
    };
    for (const load of Object.values(loads)) await load(2); // warm-up: JIT, connection pools, query plans
    const pids = {
      gateway: pidListeningAs(new URL(platform.url).port),
      keys: pidListeningAs(new URL(platform.urls.keys).port),
      coupons: pidListeningAs(new URL(platform.urls.coupons).port),
    };
    const measured = async (load) => {
      const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid)]));
      const result = await load(SECONDS);
      const cpuPerRequest = Object.fromEntries(
        Object.entries(pids).map(([k, pid]) => [k, (cpuMs(pid) - before[k]) / Math.max(1, result.requests)]),
      );
      return { ...result, cpuPerRequest };
    };
    const results = Object.fromEntries(Object.keys(loads).map((k) => [k, []]));
    for (let i = 0; i < RUNS; i++) {
      for (const [name, load] of Object.entries(loads)) results[name].push(await measured(load));
    }
    // Median CPU ms per request of one process over a load's runs.
    const cpu = (name, process) => round(median(results[name].map((r) => r.cpuPerRequest[process])), 3);
    const failures = Object.values(results)
      .flat()
      .reduce((n, r) => n + r.errors + r.non2xx + r.timeouts, 0);
    const serialCard = results.cardKeysDirect.map((k, i) =>
      Math.round(1 / (1 / k.requestsPerSecond + 1 / results.cardCouponsDirect[i].requestsPerSecond)),
    );
    return {
      name: `gateway throughput: direct vs through the gateway, ${CONNECTIONS} connections, ${SECONDS} s x ${RUNS}`,
      metrics: {
        'keysInfo via gateway: req/s (runs)': list(rps(results.infoGateway)),
        'keysInfo via gateway: p99 ms (runs)': list(p99(results.infoGateway)),
        'keysInfo gateway / direct, median req/s': round(
          median(rps(results.infoGateway)) / median(rps(results.infoDirect)),
        ),
        'key card via gateway: req/s (runs)': list(rps(results.cardGateway)),
        'key card via gateway: p99 ms (runs)': list(p99(results.cardGateway)),
        'key card gateway / serial direct, median': round(median(rps(results.cardGateway)) / median(serialCard)),
        'keysInfo: gateway CPU ms per request': cpu('infoGateway', 'gateway'),
        'keysInfo: keys CPU ms per request (via gateway)': cpu('infoGateway', 'keys'),
        'keysInfo, gateway on a core of its own: share of direct (keys CPU / gateway CPU)': round(
          cpu('infoDirect', 'keys') / cpu('infoGateway', 'gateway'),
        ),
        'key card: gateway CPU ms per request': cpu('cardGateway', 'gateway'),
        'key card: keys + coupons CPU ms per request (via gateway)': round(
          cpu('cardGateway', 'keys') + cpu('cardGateway', 'coupons'),
          3,
        ),
        'target: gateway / direct (keysInfo)': 0.5,
        'target: gateway p99 ms': 50,
        'failed requests (all runs)': failures,
      },
      ceiling: {
        'keysInfo direct: req/s (runs)': list(rps(results.infoDirect)),
        'keysInfo direct: p99 ms (runs)': list(p99(results.infoDirect)),
        'keysInfo direct: keys CPU ms per request': cpu('infoDirect', 'keys'),
        'card keys part direct: req/s (runs)': list(rps(results.cardKeysDirect)),
        'card keys part direct: p99 ms (runs)': list(p99(results.cardKeysDirect)),
        'card coupons part direct: req/s (runs)': list(rps(results.cardCouponsDirect)),
        'card coupons part direct: p99 ms (runs)': list(p99(results.cardCouponsDirect)),
        'card both parts serially: req/s (runs)': list(serialCard),
      },
    };
  } finally {
    await platform.stop();
  }
}

module.exports = { name: 'gateway throughput: direct vs through the gateway', timeoutSeconds: 600, run };
