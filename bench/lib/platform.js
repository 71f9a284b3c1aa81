// The platform as benchmarks run it: the subgraphs they need and the gateway, each its own
// process from dist/ (as in production), on databases created for the run and dropped after,
// with a Kafka topic prefix of their own. Other subgraphs point at a closed port.
const { execFileSync, spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { createServer } = require('node:net');
const path = require('node:path');
const { Client } = require('pg');
const { assertLoopback } = require('./loopback');
const { percentile, round } = require('./stats');

const SERVER_URL = assertLoopback(
  'BENCH_DATABASE_URL',
  process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
);
const SUBGRAPHS = ['keys', 'coupons', 'sessions', 'notifications'];

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

/** Starts one service process; keeps the end of its output for error messages. */
function spawnService(root, name, { NODE_ARGS, ...env }) {
  // NODE_ARGS: extra node options for the process (e.g. --cpu-prof), which NODE_OPTIONS may not carry.
  const args = [...(NODE_ARGS ? NODE_ARGS.split(/\s+/) : []), '-r', './scripts/runtime-paths.js'];
  const child = spawn(process.execPath, [...args, `dist/services/${name}/src/main.js`], {
    cwd: root,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // BENCH_SERVICE_LOGS=<dir>: each service's whole output also goes to <dir>/<name>.log.
  const file = process.env.BENCH_SERVICE_LOGS
    ? require('node:fs').createWriteStream(path.join(process.env.BENCH_SERVICE_LOGS, `${name}.log`), { flags: 'a' })
    : undefined;
  const keep = (d) => {
    file?.write(d);
    output = (output + d).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return { name, child, output: () => output };
}

async function waitHealthy(proc, port) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited: ${proc.output()}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${proc.name} not healthy: ${proc.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Starts `subgraphs` and a gateway in front of them (`env` for the subgraphs, `gatewayEnv`
 * for the gateway, `serviceEnv[name]` for that subgraph alone). Returns { url, urls (each
 * subgraph's base URL), topicPrefix, operatorToken, databaseUrl(name), gql(token, query,
 * variables), stop() }. Builds first (incremental).
 */
async function startPlatform(root, subgraphs, env = {}, gatewayEnv = {}, serviceEnv = {}) {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  const run = randomBytes(4).toString('hex');
  const common = {
    IDENTITY_SIGNING_SECRET: randomBytes(32).toString('hex'),
    ACCESS_TOKEN_SECRET: randomBytes(32).toString('hex'),
    REDIS_URL: 'redis://127.0.0.1:6379',
    KAFKA_BROKERS: '127.0.0.1:9092',
    KAFKA_TOPIC_PREFIX: `bench-${run}.`,
  };
  const operatorToken = `op_${randomBytes(24).toString('hex')}`;
  const databases = {};
  const procs = [];
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();

  const stop = async () => {
    for (const p of procs.reverse()) {
      if (p.child.exitCode === null) p.child.kill('SIGTERM');
      await new Promise((r) =>
        p.child.exitCode !== null || p.child.signalCode !== null ? r() : p.child.once('exit', r),
      );
    }
    for (const name of Object.keys(databases))
      await admin.query(`DROP DATABASE IF EXISTS bench_${name}_${run} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  };

  try {
    const urls = {};
    await Promise.all(
      subgraphs.map(async (name) => {
        const port = await freePort();
        const db = new URL(SERVER_URL);
        db.pathname = `/bench_${name}_${run}`;
        databases[name] = db.toString();
        const proc = spawnService(root, name, {
          ...common,
          PORT: String(port),
          DATABASE_URL: databases[name],
          EXPIRY_SCAN_MS: '0',
          ...env,
          ...serviceEnv[name],
        });
        procs.push(proc);
        await waitHealthy(proc, port);
        urls[name] = `http://127.0.0.1:${port}`;
      }),
    );
    const gatewayPort = await freePort();
    const gateway = spawnService(root, 'gateway', {
      ...common,
      PORT: String(gatewayPort),
      OPERATOR_TOKEN: operatorToken,
      ...Object.fromEntries(
        SUBGRAPHS.map((s) => [`${s.toUpperCase()}_URL`, `${urls[s] ?? 'http://127.0.0.1:9'}/graphql`]),
      ),
      KEYS_INTERNAL_URL: urls.keys,
      SUPERGRAPH_PATH: path.join(root, 'services/gateway/supergraph.graphql'),
      RATE_LIMIT_NAMESPACE: `bench-${run}`,
      ...gatewayEnv,
    });
    procs.push(gateway);
    await waitHealthy(gateway, gatewayPort);
    const url = `http://127.0.0.1:${gatewayPort}/graphql`;

    /** What went wrong with the services, for a request that failed: who exited and what it said. */
    const diagnose = () =>
      procs
        .filter((p) => p.child.exitCode !== null || p.child.signalCode !== null)
        .map((p) => `${p.name} exited (${p.child.exitCode ?? p.child.signalCode}): ${p.output()}`)
        .join('; ') || 'all services running';
    const gql = async (token, query, variables) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      }).catch((error) => {
        throw new Error(`${error.message}${error.cause ? ` (${error.cause.message})` : ''}; ${diagnose()}`);
      });
      const body = await res.json();
      if (body.errors) throw new Error(body.errors.map((e) => e.message).join('; '));
      return body.data;
    };
    return {
      url,
      urls,
      topicPrefix: common.KAFKA_TOPIC_PREFIX,
      operatorToken,
      databaseUrl: (name) => databases[name],
      diagnose,
      gql,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Latencies in ms of `count` sequential calls of `send(i)`, after a warm-up of a tenth as many. */
async function measureSequential(count, send) {
  for (let i = 0; i < Math.ceil(count / 10); i++) await send(i + count);
  const times = [];
  for (let i = 0; i < count; i++) {
    const t = process.hrtime.bigint();
    await send(i);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return summarize(times);
}

/** p50/p95/p99 (ms, rounded) of a list of latencies. */
function summarize(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), p99: round(percentile(sorted, 99)) };
}

module.exports = { startPlatform, measureSequential, summarize, SERVER_URL };
