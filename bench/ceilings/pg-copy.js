// Ceiling for bulk writes (coupon generation): raw `COPY ... FROM STDIN` of 100,000
// coupon-shaped rows, in a throwaway database created and dropped here.
//   seconds / rowsPerSecond           into a TEMP table (no WAL): the raw COPY ceiling
//   loggedSeconds / loggedRowsPerSecond  into an ordinary table with the same keys, as a
//                                        real coupons table is written (WAL included)
// Later benchmarks reuse `copyRows` / `couponRows` / `copyCoupons`.
const { randomBytes, randomUUID } = require('node:crypto');
const { Readable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { Client } = require('pg');
const { from: copyFrom } = require('pg-copy-streams');
const { assertLoopback } = require('../lib/loopback');
const { round, withTimeout } = require('../lib/stats');

const NAME = 'ceiling: Postgres COPY of 100,000 coupon-shaped rows';
const SERVER_URL = assertLoopback(
  'BENCH_DATABASE_URL',
  process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
);
const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ'; // 32 symbols, no 0/O/1/I

const COUPON_COLUMNS = ['id', 'code', 'batch_id', 'type', 'status', 'created_at'];
const COUPON_TABLE_SQL = (table, temp) => `CREATE ${temp ? 'TEMP ' : ''}TABLE ${table} (
  id uuid PRIMARY KEY,
  code text NOT NULL UNIQUE,
  batch_id uuid NOT NULL,
  type text NOT NULL,
  status text NOT NULL,
  created_at timestamptz NOT NULL
)`;

/** A coupon code of 29 characters: five groups of five, e.g. 7KQ2M-XW9PD-...; unique in practice. */
function couponCode(bytes, offset) {
  let code = '';
  for (let i = 0; i < 25; i++) {
    if (i > 0 && i % 5 === 0) code += '-';
    code += CODE_ALPHABET[bytes[offset + i] & 31];
  }
  return code;
}

/** `count` coupon-shaped rows (arrays in COUPON_COLUMNS order), generated up front. */
function couponRows(count, { batchId = randomUUID(), type = 'ADD_PRODUCT', status = 'NEW' } = {}) {
  const bytes = randomBytes(count * 25);
  const createdAt = new Date().toISOString();
  const rows = new Array(count);
  for (let i = 0; i < count; i++) rows[i] = [randomUUID(), couponCode(bytes, i * 25), batchId, type, status, createdAt];
  return rows;
}

/** Text-format COPY escaping of one value (null becomes \N). */
function copyValue(value) {
  if (value === null || value === undefined) return '\\N';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return /[\\\t\n\r]/.test(text)
    ? text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : text;
}

/** Rows as COPY text chunks of `rowsPerChunk` lines each. */
function* copyChunks(rows, rowsPerChunk = 1000) {
  let chunk = '';
  let inChunk = 0;
  for (const row of rows) {
    chunk += row.map(copyValue).join('\t') + '\n';
    if (++inChunk === rowsPerChunk) {
      yield chunk;
      chunk = '';
      inChunk = 0;
    }
  }
  if (chunk) yield chunk;
}

/**
 * COPYs `rows` (arrays of values in `columns` order) into `table` over a connected pg
 * Client, in one COPY statement. Returns { rows, seconds }; the time covers encoding and
 * the COPY itself (generate rows before calling, to leave that out).
 */
async function copyRows(client, table, columns, rows) {
  const started = process.hrtime.bigint();
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(copyChunks(rows)), stream);
  return { rows: Number(stream.rowCount), seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** COPYs `count` fresh coupon-shaped rows into `table` (COUPON_COLUMNS); returns { rows, seconds }. */
async function copyCoupons(client, table, count) {
  return copyRows(client, table, COUPON_COLUMNS, couponRows(count));
}

async function withThrowawayDatabase(work) {
  const database = `bench_copy_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 10_000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(SERVER_URL);
    url.pathname = `/${database}`;
    const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 10_000 });
    try {
      await client.connect();
      await client.query("SET statement_timeout = '120s'");
      return await work(client);
    } finally {
      await client.end().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}

async function timedCopy(client, table, rows) {
  const result = await withTimeout(copyRows(client, table, COUPON_COLUMNS, rows), 120_000, `COPY into ${table}`);
  const {
    rows: [{ n }],
  } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
  if (n !== rows.length || result.rows !== rows.length) {
    throw new Error(`COPY into ${table} stored ${n} rows (reported ${result.rows}), expected ${rows.length}`);
  }
  return result.seconds;
}

module.exports = {
  name: NAME,
  COUPON_COLUMNS,
  COUPON_TABLE_SQL,
  couponRows,
  copyRows,
  copyCoupons,
  async run({ rows: count = 100_000 } = {}) {
    const temp = couponRows(count);
    const logged = couponRows(count);
    const [tempSeconds, loggedSeconds] = await withThrowawayDatabase(async (client) => {
      await client.query(COUPON_TABLE_SQL('coupons_copy', true));
      const a = await timedCopy(client, 'coupons_copy', temp);
      await client.query(COUPON_TABLE_SQL('coupons_logged', false));
      const b = await timedCopy(client, 'coupons_logged', logged);
      return [a, b];
    });
    return {
      name: NAME,
      metrics: {
        rows: count,
        seconds: round(tempSeconds, 3),
        rowsPerSecond: Math.round(count / tempSeconds),
        loggedSeconds: round(loggedSeconds, 3),
        loggedRowsPerSecond: Math.round(count / loggedSeconds),
      },
    };
  },
};
