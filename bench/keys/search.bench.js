// Key search and the key card with 1,000,000 keys in the keys database, through the gateway.
//   search by company substring, search by key prefix, key card (keys-owned fields):
//   p50/p95/p99 of sequential requests (one at a time: the latency a cabinet user sees),
//   next to the foundation's ceilings measured in the same run.
// The keys service and the gateway run as their own processes from dist/, on a database
// created for this run and dropped after; scripts/seed-keys fills it with COPY.
const { execFile, execFileSync, spawn } = require('node:child_process');
const { promisify } = require('node:util');
const { randomBytes } = require('node:crypto');
const { createServer } = require('node:net');
const path = require('node:path');
const { Client } = require('pg');
const { assertLoopback } = require('../lib/loopback');
const { percentile, round } = require('../lib/stats');

const KEYS = Number(process.env.BENCH_KEYS || 1_000_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS || 300);
const SERVER_URL = assertLoopback('BENCH_DATABASE_URL', process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');

const SEARCH = `query($filter: LicenseKeyFilter, $first: Int) {
  licenseKeys(filter: $filter, first: $first) {
    totalCount
    edges { cursor node { id code client { company email } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const CARD = `query($code: String!) {
  licenseKey(code: $code) {
    id code createdAt comment
    client { company contactName phone email }
    distributor { id name }
    manager { id name }
    licenses { id kind seats startsAt expiresAt active source product { code name licenseModel } }
  }
}`;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function start(root, name, env) {
  const child = spawn(process.execPath, ['-r', './scripts/runtime-paths.js', `dist/services/${name}/src/main.js`], {
    cwd: root,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  const keep = (d) => (errors = (errors + d).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const proc = { name, child, errors: () => errors };
  services.push(proc);
  return proc;
}

async function healthy(proc, port) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`service exited: ${proc.errors()}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`service not healthy: ${proc.errors()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

let services = [];

async function gql(url, token, query, variables) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  }).catch((error) => {
    const exited = services.filter((p) => p.child.exitCode !== null).map((p) => `${p.name} exited ${p.child.exitCode}: ${p.errors()}`);
    const logs = services.map((p) => `${p.name}: ${p.errors().slice(-1500)}`).join('\n');
    throw new Error(`${JSON.stringify(variables)} ${error.message}${error.cause ? ` (${error.cause.message})` : ''}; ${exited.join('; ') || 'all services running'}\n${logs}`);
  });
  const body = await res.json();
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data;
}

/** Latencies in ms of `count` sequential requests, after a warm-up of a tenth as many. */
async function measure(count, send) {
  for (let i = 0; i < Math.ceil(count / 10); i++) await send(i + count);
  const times = [];
  for (let i = 0; i < count; i++) {
    const t = process.hrtime.bigint();
    await send(i);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { p50: round(percentile(times, 50)), p95: round(percentile(times, 95)), p99: round(percentile(times, 99)) };
}

async function run({ root, ceilings }) {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  const dbName = `bench_keys_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  const dbUrl = new URL(SERVER_URL);
  dbUrl.pathname = `/${dbName}`;
  const secrets = { IDENTITY_SIGNING_SECRET: randomBytes(32).toString('hex'), ACCESS_TOKEN_SECRET: randomBytes(32).toString('hex') };
  const operatorToken = `op_${randomBytes(24).toString('hex')}`;
  const procs = [];
  try {
    const [keysPort, gatewayPort] = [await freePort(), await freePort()];
    const common = { ...secrets, REDIS_URL: 'redis://127.0.0.1:6379', KAFKA_BROKERS: '127.0.0.1:9092', KAFKA_TOPIC_PREFIX: `bench-${randomBytes(3).toString('hex')}.` };
    const keys = start(root, 'keys', { ...common, PORT: String(keysPort), DATABASE_URL: dbUrl.toString(), EXPIRY_SCAN_MS: '0' });
    procs.push(keys);
    await healthy(keys, keysPort);
    const keysUrl = `http://127.0.0.1:${keysPort}`;
    // Only the keys subgraph is queried here; the others are never reached.
    const gateway = start(root, 'gateway', {
      ...common,
      PORT: String(gatewayPort),
      OPERATOR_TOKEN: operatorToken,
      KEYS_URL: `${keysUrl}/graphql`,
      KEYS_INTERNAL_URL: keysUrl,
      COUPONS_URL: 'http://127.0.0.1:9/graphql',
      SESSIONS_URL: 'http://127.0.0.1:9/graphql',
      NOTIFICATIONS_URL: 'http://127.0.0.1:9/graphql',
      SUPERGRAPH_PATH: path.join(root, 'services/gateway/supergraph.graphql'),
      RATE_LIMIT_NAMESPACE: `bench-${randomBytes(3).toString('hex')}`,
    });
    procs.push(gateway);
    await healthy(gateway, gatewayPort);
    const url = `http://127.0.0.1:${gatewayPort}/graphql`;

    const { createVendor } = await gql(url, operatorToken, 'mutation { createVendor(input: { prefix: "BNCH", name: "Bench" }) { vendor { id } apiKey } }');
    const apiKey = createVendor.apiKey;
    const { createProduct } = await gql(url, apiKey, 'mutation { createProduct(input: { code: "PBX", name: "PBX", licenseModel: HOST_BINDING }) { id } }');

    console.log(`bench: seeding ${KEYS.toLocaleString('en-US')} keys`);
    // Asynchronously: a blocked event loop would miss the gateway closing idle sockets.
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', './scripts/runtime-paths.js', 'dist/scripts/seed-keys.js'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: dbUrl.toString(), VENDOR_ID: createVendor.vendor.id, PRODUCT_ID: createProduct.id, COUNT: String(KEYS) },
      maxBuffer: 64 * 1024 * 1024,
    });
    const seeded = JSON.parse(stdout);
    const sample = seeded.sample;
    const pick = (i) => sample[(i * 7919) % sample.length];

    const byCompany = await measure(REQUESTS, (i) => gql(url, apiKey, SEARCH, { filter: { search: pick(i).company.split(' ').slice(-2).join(' ') }, first: 20 }));
    const byKeyPrefix = await measure(REQUESTS, (i) => gql(url, apiKey, SEARCH, { filter: { search: pick(i).code.slice(0, 11) }, first: 20 }));
    const card = await measure(REQUESTS, (i) => gql(url, apiKey, CARD, { code: pick(i).code }));
    const firstPage = await measure(Math.ceil(REQUESTS / 3), () => gql(url, apiKey, SEARCH, { first: 20 }));
    // The floor under every figure above: a query the keys subgraph answers without the database.
    const floor = await measure(REQUESTS, () => gql(url, apiKey, '{ keysInfo { service version } }'));

    const http = ceilings['http-redis'] || {};
    const kafka = ceilings['kafka-roundtrip'] || {};
    return {
      name: `keys: search and key card, ${KEYS.toLocaleString('en-US')} keys, through the gateway`,
      metrics: {
        seedSeconds: round(seeded.seconds, 1),
        searchCompanyP50Ms: byCompany.p50,
        searchCompanyP95Ms: byCompany.p95,
        searchCompanyP99Ms: byCompany.p99,
        searchKeyPrefixP50Ms: byKeyPrefix.p50,
        searchKeyPrefixP95Ms: byKeyPrefix.p95,
        searchKeyPrefixP99Ms: byKeyPrefix.p99,
        cardP50Ms: card.p50,
        cardP95Ms: card.p95,
        cardP99Ms: card.p99,
        unfilteredFirstPageP95Ms: firstPage.p95,
        targetSearchP95Ms: 20,
        targetCardP95Ms: 30,
      },
      ceiling: {
        gatewayFloorP50Ms: floor.p50,
        gatewayFloorP95Ms: floor.p95,
        httpRedisLatencyP50Ms: http.latencyP50Ms ?? 'n/a',
        kafkaRoundTripP50Ms: kafka.p50Ms ?? 'n/a',
      },
    };
  } finally {
    for (const p of procs.reverse()) {
      p.child.kill('SIGTERM');
      await new Promise((r) => (p.child.exitCode !== null ? r() : p.child.once('exit', r)));
    }
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

module.exports = { name: 'keys: search and key card (1M keys, through the gateway)', timeoutSeconds: 1800, run };
