import type { PoolClient } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/** Anything that runs SQL: the data source, or a transaction's entity manager. */
export type Sql = Pick<EntityManager, 'query'> | Pick<DataSource, 'query'>;

/**
 * TypeORM's Postgres driver answers `UPDATE … RETURNING` and `DELETE … RETURNING` with
 * `[rows, affected]` and everything else with the rows alone. Rows are always objects, so a
 * pair whose first member is an array can only be the first shape.
 */
function unpack(result: unknown): { rows: unknown[]; count: number } {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return { rows: result[0] as unknown[], count: result[1] };
  }
  const rows = Array.isArray(result) ? (result as unknown[]) : [];
  return { rows, count: rows.length };
}

/**
 * The rows of one statement, typed by the caller's row interface (which names the columns as
 * the SQL returns them). The one place that trusts the driver's untyped answer.
 */
export async function rows<T extends object>(sql: Sql, text: string, params: readonly unknown[] = []): Promise<T[]> {
  return unpack(await sql.query(text, params as unknown[])).rows as T[];
}

/** The first row of a statement, or undefined. */
export async function row<T extends object>(
  sql: Sql,
  text: string,
  params: readonly unknown[] = [],
): Promise<T | undefined> {
  return (await rows<T>(sql, text, params))[0];
}

/**
 * An `UPDATE`/`DELETE`/`INSERT` with its returned rows (empty without `RETURNING`) and the
 * number of rows it touched, whatever shape the driver gives them in.
 */
export async function updated<T extends object = Record<string, never>>(
  sql: Sql,
  text: string,
  params: readonly unknown[] = [],
): Promise<{ rows: T[]; count: number }> {
  const result = unpack(await sql.query(text, params as unknown[]));
  return { rows: result.rows as T[], count: result.count };
}

/**
 * The pg client under a transaction's entity manager, for what only pg does (COPY). Throws
 * unless a transaction is open on it, so the COPY cannot escape its transaction.
 */
export function transactionClient(manager: EntityManager): PoolClient {
  const runner = manager.queryRunner as
    (EntityManager['queryRunner'] & { databaseConnection?: PoolClient }) | undefined;
  if (!runner?.isTransactionActive || !runner.databaseConnection) {
    throw new Error('needs the entity manager of an open transaction');
  }
  return runner.databaseConnection;
}
