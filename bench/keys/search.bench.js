// Key search and the key card with 1,000,000 keys in the keys database, through the gateway.
//   search by company substring, search by key prefix, key card (keys-owned fields):
//   p50/p95/p99 of sequential requests (one at a time: the latency a cabinet user sees),
//   next to the floor measured in the same run: a query the keys subgraph answers without
//   the database, through the same gateway.
// scripts/seed-keys fills the run's keys database with COPY.
//
// BENCH_KEYS_KEEP=1 keeps the seeded database as bench_keys_search_<BENCH_KEYS> and reuses it
// on the next run with the same variable: the keys service migrates it at boot (so a new
// index is built on the seeded rows) and the seed is skipped when the bench vendor already
// has its keys. Drop it when done: psql -c 'DROP DATABASE bench_keys_search_1000000'.
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const { Client } = require('pg');
const { round } = require('../lib/stats');
const { measureSequential, startPlatform, SERVER_URL } = require('../lib/platform');

const KEYS = Number(process.env.BENCH_KEYS || 1_000_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS || 300);
const KEEP = process.env.BENCH_KEYS_KEEP === '1';
const SAMPLE = 1000;

const SEARCH = `query LicenseKeys($filter: LicenseKeyFilter, $first: Int) {
  licenseKeys(filter: $filter, first: $first) {
    totalCount totalCountIsExact
    edges { cursor node { id code client { company email } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const CARD = `query LicenseKeyCard($code: String!) {
  licenseKey(code: $code) {
    id code createdAt comment
    client { company contactName phone email }
    distributor { id name }
    manager { id name }
    licenses { id kind seats startsAt expiresAt active source product { code name licenseModel } }
  }
}`;

/** The kept database's URL on the bench's Postgres server. */
function keptDatabaseUrl() {
  const url = new URL(SERVER_URL);
  url.pathname = `/bench_keys_search_${KEYS}`;
  return url.toString();
}

/** The bench vendor and product of a kept database with all its keys, or null to seed. */
async function seededBefore(databaseUrl) {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const found = (
      await db.query(
        `SELECT v.id AS "vendorId", p.id AS "productId",
                (SELECT count(*)::int FROM license_keys k WHERE k.vendor_id = v.id) AS keys
           FROM vendors v JOIN products p ON p.vendor_id = v.id AND p.code = 'PBX' WHERE v.prefix = 'BNCH'`,
      )
    ).rows[0];
    if (!found) return null;
    if (found.keys !== KEYS)
      throw new Error(
        `the kept database has ${found.keys} bench keys, not ${KEYS} (a seed that did not finish): ` +
          `DROP DATABASE bench_keys_search_${KEYS} and run again`,
      );
    // The seed names company i "<word> <word> <form> i" and samples every (KEYS / SAMPLE)th.
    const every = Math.max(1, Math.floor(KEYS / SAMPLE));
    const sample = (
      await db.query(
        `SELECT k.code, c.company FROM license_keys k JOIN clients c ON c.id = k.client_id
          WHERE k.vendor_id = $1 AND substring(c.company FROM '[0-9]+$')::bigint % $2 = 0
          ORDER BY substring(c.company FROM '[0-9]+$')::bigint`,
        [found.vendorId, every],
      )
    ).rows;
    return { ...found, sample };
  } finally {
    await db.end();
  }
}

async function run({ root, ceilings }) {
  const keptUrl = KEEP ? keptDatabaseUrl() : undefined;
  const platform = await startPlatform(root, ['keys'], keptUrl ? { DATABASE_URL: keptUrl } : {});
  try {
    const { gql, operatorToken } = platform;
    const databaseUrl = keptUrl ?? platform.databaseUrl('keys');
    const before = keptUrl ? await seededBefore(databaseUrl) : null;
    let apiKey;
    let seeded;
    if (before) {
      console.log(`bench: reusing the ${KEYS.toLocaleString('en-US')} keys kept in bench_keys_search_${KEYS}`);
      apiKey = (await gql(operatorToken, 'mutation($v: ID!) { createApiKey(vendorId: $v) }', { v: before.vendorId }))
        .createApiKey;
      seeded = { seconds: NaN, sample: before.sample };
    } else {
      const { createVendor } = await gql(
        operatorToken,
        'mutation { createVendor(input: { prefix: "BNCH", name: "Bench" }) { vendor { id } apiKey } }',
      );
      apiKey = createVendor.apiKey;
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
            DATABASE_URL: databaseUrl,
            VENDOR_ID: createVendor.vendor.id,
            PRODUCT_ID: createProduct.id,
            COUNT: String(KEYS),
          },
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      seeded = JSON.parse(stdout);
    }
    const sample = seeded.sample;
    const pick = (i) => sample[(i * 7919) % sample.length];
    // How many measured answers (warm-up calls have i >= count) said their totalCount is exact.
    const exact = { company: 0, keyPrefix: 0, firstPage: 0 };
    const search = async (kind, i, count, filter) => {
      const { licenseKeys } = await gql(apiKey, SEARCH, { filter, first: 20 });
      if (i < count && licenseKeys.totalCountIsExact) exact[kind] += 1;
    };
    const shareOf = (kind, count) => `${Math.round((exact[kind] / count) * 100)}%`;

    // The keys subgraph's own time per phase (its graphql_request_duration_seconds, warm-up
    // included): what the gateway adds is the rest.
    const inSubgraph = async (operation, measure) => {
      const read = async () => {
        const text = await (await fetch(`${platform.urls.keys}/metrics`)).text();
        const value = (suffix) =>
          Number(
            text.match(
              new RegExp(
                `^graphql_request_duration_seconds_${suffix}\\{[^}]*operation="${operation}"[^}]*\\} (\\S+)$`,
                'm',
              ),
            )?.[1] ?? 0,
          );
        return { sum: value('sum'), count: value('count') };
      };
      const before = await read();
      const latencies = await measure();
      const after = await read();
      const calls = after.count - before.count;
      return { ...latencies, subgraphMeanMs: calls ? round(((after.sum - before.sum) / calls) * 1000) : 'n/a' };
    };

    const byCompany = await inSubgraph('LicenseKeys', () =>
      measureSequential(REQUESTS, (i) =>
        search('company', i, REQUESTS, { search: pick(i).company.split(' ').slice(-2).join(' ') }),
      ),
    );
    const byKeyPrefix = await inSubgraph('LicenseKeys', () =>
      measureSequential(REQUESTS, (i) => search('keyPrefix', i, REQUESTS, { search: pick(i).code.slice(0, 11) })),
    );
    const card = await inSubgraph('LicenseKeyCard', () =>
      measureSequential(REQUESTS, (i) => gql(apiKey, CARD, { code: pick(i).code })),
    );
    const firstPageRequests = Math.ceil(REQUESTS / 3);
    const firstPage = await inSubgraph('LicenseKeys', () =>
      measureSequential(firstPageRequests, (i) => search('firstPage', i, firstPageRequests, undefined)),
    );
    const floor = await measureSequential(REQUESTS, () => gql(apiKey, '{ keysInfo { service version } }'));

    const http = ceilings['http-redis'] || {};
    const floorNote = `${floor.p95} (floor p95)`;
    return {
      name: `keys: search and key card, ${KEYS.toLocaleString('en-US')} keys, through the gateway`,
      metrics: {
        'seed s': before ? 'kept' : round(seeded.seconds, 1),
        'company substring p95 ms (target ≤ 20)': byCompany.p95,
        'company substring p50 / p99 ms': `${byCompany.p50} / ${byCompany.p99}`,
        'key prefix p95 ms (target ≤ 20)': byKeyPrefix.p95,
        'key prefix p50 / p99 ms': `${byKeyPrefix.p50} / ${byKeyPrefix.p99}`,
        'unfiltered first page p95 ms (target ≤ 100)': firstPage.p95,
        'unfiltered first page p50 / p99 ms': `${firstPage.p50} / ${firstPage.p99}`,
        'key card p95 ms (target ≤ 30)': card.p95,
        'key card p50 / p99 ms': `${card.p50} / ${card.p99}`,
        'mean ms in the keys subgraph: company / prefix / first page / card': [
          byCompany.subgraphMeanMs,
          byKeyPrefix.subgraphMeanMs,
          firstPage.subgraphMeanMs,
          card.subgraphMeanMs,
        ].join(' / '),
        'exact totalCount: company / prefix / first page': [
          shareOf('company', REQUESTS),
          shareOf('keyPrefix', REQUESTS),
          shareOf('firstPage', firstPageRequests),
        ].join(' / '),
        'gateway floor p50 / p95 ms (keysInfo, no database)': `${floor.p50} / ${floor.p95}`,
        'http+redis ceiling p50 ms': http.latencyP50Ms ?? 'n/a',
      },
      ceiling: {
        'company substring p95 ms (target ≤ 20)': floorNote,
        'key prefix p95 ms (target ≤ 20)': floorNote,
        'unfiltered first page p95 ms (target ≤ 100)': floorNote,
        'key card p95 ms (target ≤ 30)': floorNote,
      },
    };
  } finally {
    await platform.stop();
  }
}

module.exports = { name: 'keys: search and key card (1M keys, through the gateway)', timeoutSeconds: 1800, run };
