import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { generateCode } from '@licensing/domain';

/**
 * Fills a keys database with many clients, keys and licenses of one vendor, for benchmarks
 * and for trying the cabinet on a realistic volume. Writes straight into the keys service's
 * tables with COPY (an API call per key would take hours), in the shape the service writes:
 * codes from the domain's generator, the same search text, one MAIN license per key.
 *
 *   DATABASE_URL=postgres://…/licensing_keys VENDOR_ID=… PRODUCT_ID=… COUNT=1000000 \
 *     node -r ./scripts/runtime-paths.js dist/scripts/seed-keys.js
 *
 * Prints one JSON line: how many rows, how long, and a sample of keys (code, company) that
 * benchmarks can look up.
 */
const WORDS = [
  'Alpha',
  'Baltic',
  'Cedar',
  'Delta',
  'Ember',
  'Fjord',
  'Granite',
  'Harbor',
  'Indigo',
  'Juniper',
  'Krona',
  'Lumen',
  'Meridian',
  'Nordic',
  'Orion',
  'Polar',
  'Quartz',
  'Raven',
  'Sierra',
  'Tundra',
  'Umbra',
  'Vega',
  'Willow',
  'Xenon',
  'Yarrow',
  'Zenith',
];
const FORMS = ['LLC', 'Ltd', 'GmbH', 'JSC', 'Inc', 'Group'];
const CHUNK = 20_000;

function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (!value) throw new Error(`${name} is required`);
  return value;
}

/** The same text the keys service indexes (LicenseKey searchTextOf). */
function searchText(code: string, company: string, email: string): string {
  const body = code.slice(code.indexOf('-') + 1);
  return `${body} ${body.replace(/-/g, '')} ${company} ${email}`.toLowerCase();
}

function company(i: number): string {
  return `${WORDS[i % 26]} ${WORDS[Math.floor(i / 26) % 26]} ${FORMS[i % FORMS.length]} ${i}`;
}

async function copy(db: Client, sql: string, lines: () => Generator<string>): Promise<void> {
  await pipeline(Readable.from(lines()), db.query(copyFrom(sql)));
}

async function main(): Promise<void> {
  const url = env('DATABASE_URL');
  const vendorId = env('VENDOR_ID');
  const productId = env('PRODUCT_ID');
  const count = Number(env('COUNT', '1000000'));
  const db = new Client({ connectionString: url });
  await db.connect();
  const started = Date.now();
  const sample: { code: string; company: string }[] = [];
  try {
    const [{ prefix }] = (await db.query<{ prefix: string }>('SELECT prefix FROM vendors WHERE id = $1', [vendorId]))
      .rows;
    if (!prefix) throw new Error(`no vendor ${vendorId}`);
    // Bulk load: the trigram index is built once at the end (as the migration defines it),
    // and the rows, consistent by construction, skip the per-row foreign-key triggers.
    await db.query(
      `SET maintenance_work_mem = '512MB'; SET synchronous_commit = off; SET session_replication_role = replica`,
    );
    const [search] = (
      await db.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE indexname = 'license_keys_search_idx'`,
      )
    ).rows;
    if (search) await db.query('DROP INDEX license_keys_search_idx');
    const sampleEvery = Math.max(1, Math.floor(count / 1000));
    for (let from = 0; from < count; from += CHUNK) {
      const size = Math.min(CHUNK, count - from);
      const rows = Array.from({ length: size }, (_, j) => {
        const i = from + j;
        const name = company(i);
        const email = `buyer${i}@${WORDS[(i * 7) % 26]!.toLowerCase()}.example`;
        const code = generateCode('key', prefix);
        if (i % sampleEvery === 0) sample.push({ code, company: name });
        return { clientId: randomUUID(), keyId: randomUUID(), code, name, email };
      });
      await db.query('BEGIN');
      await copy(db, 'COPY clients (id, vendor_id, company, email) FROM STDIN', function* () {
        for (const r of rows) yield `${r.clientId}\t${vendorId}\t${r.name}\t${r.email}\n`;
      });
      await copy(db, 'COPY license_keys (id, vendor_id, client_id, code, origin, search) FROM STDIN', function* () {
        for (const r of rows)
          yield `${r.keyId}\t${vendorId}\t${r.clientId}\t${r.code}\tCABINET\t${searchText(r.code, r.name, r.email)}\n`;
      });
      const now = new Date().toISOString();
      await copy(
        db,
        'COPY licenses (vendor_id, key_id, product_id, kind, seats, starts_at, expires_at, active, source_type) FROM STDIN',
        function* () {
          for (const r of rows) yield `${vendorId}\t${r.keyId}\t${productId}\tMAIN\t5\t${now}\t\\N\ttrue\tMANUAL\n`;
        },
      );
      await db.query('COMMIT');
    }
    await db.query('SET session_replication_role = DEFAULT');
    if (search) await db.query(search.indexdef);
    await db.query('VACUUM ANALYZE clients, license_keys, licenses');
  } finally {
    await db.end();
  }
  process.stdout.write(`${JSON.stringify({ keys: count, seconds: (Date.now() - started) / 1000, sample })}\n`);
}

main().catch((error: unknown) => {
  console.error(`seed-keys: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
