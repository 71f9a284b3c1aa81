// Ceiling for bulk writes (coupon generation): raw COPY of 100,000 coupon-shaped rows.
const { randomUUID, randomBytes } = require('node:crypto');
const { Client } = require('pg');
const { from: copyFrom } = require('pg-copy-streams');
const { pipeline } = require('node:stream/promises');
const { Readable } = require('node:stream');

const SERVER = process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** Coupon-shaped rows as TSV chunks of 1,000 rows, generated before any timing starts. */
function couponChunks(count, batchId) {
  const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  const now = new Date().toISOString();
  const random = randomBytes(count * 20);
  let r = 0;
  const group = () => {
    let g = '';
    for (let k = 0; k < 5; k++) g += alphabet[random[r++] & 31];
    return g;
  };
  const chunks = [];
  for (let i = 0; i < count; ) {
    let chunk = '';
    for (let j = 0; j < 1000 && i < count; j++, i++) {
      chunk += `${randomUUID()}\tBNCHUPD-${group()}-${group()}-${group()}-${group()}\t${batchId}\tADD_PRODUCT\tNEW\t${now}\n`;
    }
    chunks.push(chunk);
  }
  return chunks;
}

/** COPYs `count` coupon-shaped rows into `table` over `client`; returns seconds taken. */
async function copyCoupons(client, table, count) {
  const chunks = couponChunks(count, randomUUID());
  const started = process.hrtime.bigint();
  await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY ${table} (id, code, batch_id, type, status, created_at) FROM STDIN`)));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

module.exports = {
  name: 'ceiling: Postgres COPY of 100,000 coupon-shaped rows',
  copyCoupons,
  async run({ rows = 100_000 } = {}) {
    const database = `bench_copy_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: SERVER });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(SERVER);
    url.pathname = `/${database}`;
    const client = new Client({ connectionString: url.toString() });
    try {
      await client.connect();
      await client.query(`CREATE TABLE coupons (id uuid PRIMARY KEY, code text NOT NULL UNIQUE, batch_id uuid NOT NULL,
        type text NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL)`);
      const seconds = await copyCoupons(client, 'coupons', rows);
      const { rows: [{ n }] } = await client.query('SELECT count(*)::int AS n FROM coupons');
      if (n !== rows) throw new Error(`copied ${n} rows, expected ${rows}`);
      return { metrics: { rows, seconds: Number(seconds.toFixed(3)), rowsPerSecond: Math.round(rows / seconds) } };
    } finally {
      await client.end().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  },
};
