// Coupons: bulk generation and activation-to-license latency, through the gateway.
//   generation: 100,000 ADD_PRODUCT coupons in one generateCoupons call, time to commit
//     (the mutation answers after its transaction committed), next to a raw COPY of
//     100,000 coupon-shaped rows measured in the same run (bench/ceilings/pg-copy).
//   activation → license visible: 1,000 activations one after another; for each, the time
//     from the activateCoupon answer (and from the request) until the license it grants is
//     in the keys service's database, after outbox → Kafka → keys consumer.
const { Client } = require('pg');
const pgCopy = require('../ceilings/pg-copy');
const { round } = require('../lib/stats');
const { startPlatform, summarize } = require('../lib/platform');

const COUNT = Number(process.env.BENCH_COUPONS || 100_000);
const ACTIVATIONS = Number(process.env.BENCH_ACTIVATIONS || 1_000);
const KEYS = 20;

const GENERATE = `mutation($input: GenerateCouponsInput!) { generateCoupons(input: $input) { id count } }`;
const ACTIVATE = `mutation($input: ActivateCouponInput!) { activateCoupon(input: $input) { id } }`;

async function until(probe, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function run({ root, ceilings }) {
  const platform = await startPlatform(root, ['keys', 'coupons']);
  const couponsDb = new Client({ connectionString: platform.databaseUrl('coupons') });
  const keysDb = new Client({ connectionString: platform.databaseUrl('keys') });
  try {
    await Promise.all([couponsDb.connect(), keysDb.connect()]);
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
    await until(
      async () => (await couponsDb.query(`SELECT 1 FROM known_products WHERE code = 'PBX'`)).rowCount,
      'product in the coupons read model',
    );

    // Generation, against the raw COPY ceiling of the same run.
    const copy = ceilings['pg-copy'] ?? (await pgCopy.run({ rows: COUNT })).metrics;
    const input = { type: 'ADD_PRODUCT', products: [{ productCode: 'PBX', periodDays: 365, seats: 1 }], count: COUNT };
    const started = process.hrtime.bigint();
    const { generateCoupons } = await gql(apiKey, GENERATE, { input });
    const generateSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const stored = (
      await couponsDb.query('SELECT count(*)::int AS n FROM coupons WHERE batch_id = $1', [generateCoupons.id])
    ).rows[0].n;
    if (stored !== COUNT) throw new Error(`generateCoupons stored ${stored} coupons, not ${COUNT}`);
    const rowsPerSecond = Math.round(COUNT / generateSeconds);

    // Activation → license visible in the keys service.
    const keys = [];
    for (let i = 0; i < KEYS; i++) {
      const { createLicenseKey } = await gql(
        apiKey,
        `mutation { createLicenseKey(input: { client: { company: "Bench client ${i}" } }) { id code } }`,
      );
      keys.push(createLicenseKey);
    }
    await until(
      async () => (await couponsDb.query('SELECT count(*)::int AS n FROM known_keys')).rows[0].n >= KEYS,
      'keys in the coupons read model',
    );
    const batch = await gql(apiKey, GENERATE, { input: { ...input, count: ACTIVATIONS } });
    const codes = (
      await couponsDb.query('SELECT code FROM coupons WHERE batch_id = $1 ORDER BY seq', [batch.generateCoupons.id])
    ).rows.map((r) => r.code);
    const afterAnswer = [];
    const afterRequest = [];
    for (let i = 0; i < codes.length; i++) {
      const requested = performance.now();
      const { activateCoupon } = await gql(apiKey, ACTIVATE, {
        input: { keyCode: keys[i % KEYS].code, couponCode: codes[i] },
      });
      const answered = performance.now();
      await until(
        async () => (await keysDb.query('SELECT 1 FROM licenses WHERE source_id = $1', [activateCoupon.id])).rowCount,
        'license',
        10_000,
      );
      const visible = performance.now();
      afterAnswer.push(visible - answered);
      afterRequest.push(visible - requested);
    }
    const fromAnswer = summarize(afterAnswer);
    const fromRequest = summarize(afterRequest);

    return {
      name: `coupons: generate ${COUNT.toLocaleString('en-US')} in one call; activation → license visible (${ACTIVATIONS.toLocaleString('en-US')})`,
      metrics: {
        generateSeconds: round(generateSeconds, 3),
        generateRowsPerSecond: rowsPerSecond,
        shareOfRawCopyRate: round(rowsPerSecond / copy.loggedRowsPerSecond, 2),
        targetGenerateSeconds: 2,
        targetShareOfRawCopyRate: 0.5,
        activationToLicenseP50Ms: fromAnswer.p50,
        activationToLicenseP99Ms: fromAnswer.p99,
        requestToLicenseP50Ms: fromRequest.p50,
        requestToLicenseP99Ms: fromRequest.p99,
        targetActivationP99Ms: 100,
      },
      ceiling: {
        rawCopySeconds: copy.loggedSeconds,
        rawCopyRowsPerSecond: copy.loggedRowsPerSecond,
        rawCopyTempTableRowsPerSecond: copy.rowsPerSecond,
        kafkaRoundTripP50Ms: ceilings['kafka-roundtrip']?.p50Ms ?? 'n/a',
        kafkaRoundTripP99Ms: ceilings['kafka-roundtrip']?.p99Ms ?? 'n/a',
      },
    };
  } finally {
    await Promise.all([couponsDb.end(), keysDb.end()]).catch(() => undefined);
    await platform.stop();
  }
}

module.exports = {
  name: 'coupons: generation and activation latency (through the gateway)',
  timeoutSeconds: 1200,
  run,
};
