// Key search and the key card with 1,000,000 keys in the keys database, through the gateway.
//   search by company substring, search by key prefix, key card (keys-owned fields):
//   p50/p95/p99 of sequential requests (one at a time: the latency a cabinet user sees),
//   next to the floor measured in the same run: a query the keys subgraph answers without
//   the database, through the same gateway.
// scripts/seed-keys fills the run's keys database with COPY.
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const { round } = require('../lib/stats');
const { measureSequential, startPlatform } = require('../lib/platform');

const KEYS = Number(process.env.BENCH_KEYS || 1_000_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS || 300);

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

async function run({ root, ceilings }) {
  const platform = await startPlatform(root, ['keys']);
  try {
    const { gql, operatorToken } = platform;
    const { createVendor } = await gql(
      operatorToken,
      'mutation { createVendor(input: { prefix: "BNCH", name: "Bench" }) { vendor { id } apiKey } }',
    );
    const apiKey = createVendor.apiKey;
    const { createProduct } = await gql(
      apiKey,
      'mutation { createProduct(input: { code: "PBX", name: "PBX", licenseModel: HOST_BINDING }) { id } }',
    );

    console.log(`bench: seeding ${KEYS.toLocaleString('en-US')} keys`);
    // Asynchronously: a blocked event loop would miss the gateway closing idle sockets.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-r', './scripts/runtime-paths.js', 'dist/scripts/seed-keys.js'],
      {
        cwd: root,
        env: {
          ...process.env,
          DATABASE_URL: platform.databaseUrl('keys'),
          VENDOR_ID: createVendor.vendor.id,
          PRODUCT_ID: createProduct.id,
          COUNT: String(KEYS),
        },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const seeded = JSON.parse(stdout);
    const sample = seeded.sample;
    const pick = (i) => sample[(i * 7919) % sample.length];

    const byCompany = await measureSequential(REQUESTS, (i) =>
      gql(apiKey, SEARCH, { filter: { search: pick(i).company.split(' ').slice(-2).join(' ') }, first: 20 }),
    );
    const byKeyPrefix = await measureSequential(REQUESTS, (i) =>
      gql(apiKey, SEARCH, { filter: { search: pick(i).code.slice(0, 11) }, first: 20 }),
    );
    const card = await measureSequential(REQUESTS, (i) => gql(apiKey, CARD, { code: pick(i).code }));
    const firstPage = await measureSequential(Math.ceil(REQUESTS / 3), () => gql(apiKey, SEARCH, { first: 20 }));
    const floor = await measureSequential(REQUESTS, () => gql(apiKey, '{ keysInfo { service version } }'));

    const http = ceilings['http-redis'] || {};
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
      },
    };
  } finally {
    await platform.stop();
  }
}

module.exports = { name: 'keys: search and key card (1M keys, through the gateway)', timeoutSeconds: 1800, run };
