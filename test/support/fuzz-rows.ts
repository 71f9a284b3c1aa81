import { Client } from 'pg';

/** Row counts of every table of every database, keyed `database.table`; `outbox(pending)` too. */
export type RowCounts = Map<string, number>;

interface CountedDatabase {
  name: string;
  client: Client;
  sql: string;
}

/**
 * Counts the rows of every table of the services' databases, one query per database
 * (a UNION ALL of count(*) over the tables information_schema lists), the databases in
 * parallel. The outbox's pending rows are counted too: they show that an event is on
 * its way to another service.
 */
export class RowCounter {
  private constructor(private readonly databases: CountedDatabase[]) {}

  /**
   * `ignored` lists `database.table` names not counted: tables that only consumers write, for
   * a service whose consumers may still be catching up with Kafka when the counts settle.
   */
  static async connect(urls: Record<string, string>, ignored: ReadonlySet<string> = new Set()): Promise<RowCounter> {
    const databases = await Promise.all(
      Object.entries(urls).map(async ([name, url]) => {
        const client = new Client({ connectionString: url });
        await client.connect();
        const tables = await client.query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.tables
            WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
        );
        const counted = tables.rows.filter((r) => !ignored.has(`${name}.${r.table_name}`));
        const parts = counted.map(
          ({ table_name: t }) => `SELECT '${t}' AS t, count(*)::int AS n FROM "${t.replace(/"/g, '""')}"`,
        );
        if (counted.some((r) => r.table_name === 'outbox')) {
          parts.push(`SELECT 'outbox(pending)' AS t, count(*)::int AS n FROM outbox WHERE status = 'PENDING'`);
        }
        return { name, client, sql: parts.length ? parts.join('\nUNION ALL\n') : `SELECT 'none' AS t, 0 AS n` };
      }),
    );
    return new RowCounter(databases);
  }

  async snapshot(): Promise<RowCounts> {
    const results = await Promise.all(
      this.databases.map(async (db) => ({ db, rows: (await db.client.query<{ t: string; n: number }>(db.sql)).rows })),
    );
    const counts: RowCounts = new Map();
    for (const { db, rows } of results) for (const r of rows) counts.set(`${db.name}.${r.t}`, r.n);
    return counts;
  }

  /** The tables whose counts differ, as `coupons.coupons +1`. */
  static diff(before: RowCounts, after: RowCounts): string[] {
    const keys = new Set([...before.keys(), ...after.keys()]);
    const changes: string[] = [];
    for (const k of keys) {
      const d = (after.get(k) ?? 0) - (before.get(k) ?? 0);
      if (d !== 0) changes.push(`${k} ${d > 0 ? '+' : ''}${d}`);
    }
    return changes;
  }

  /**
   * Waits until what earlier requests set off has landed: no pending outbox row anywhere
   * and the counts unchanged over `stableMs`. Returns the settled counts.
   */
  async settle(stableMs = 150, timeoutMs = 15_000): Promise<RowCounts> {
    const deadline = Date.now() + timeoutMs;
    let last = await this.snapshot();
    let since = Date.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 20));
      const now = await this.snapshot();
      const pending = [...now].some(([k, n]) => k.endsWith('outbox(pending)') && n > 0);
      if (pending || RowCounter.diff(last, now).length) {
        last = now;
        since = Date.now();
      } else if (Date.now() - since >= stableMs) {
        return now;
      }
      if (Date.now() > deadline) return now;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.databases.map((db) => db.client.end()));
  }
}
