import { DataSource, DataSourceOptions, MixedList } from 'typeorm';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { QueryLogger } from './query-logger';

export interface ServiceDataSourceInput {
  url: string;
  /** Used as the connection's application_name, visible in pg_stat_activity. */
  service: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
}

/** The one place that decides how a service talks to its Postgres database. */
export function serviceDataSourceOptions(input: ServiceDataSourceInput): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url: input.url,
    applicationName: input.service,
    entities: input.entities,
    migrations: input.migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    // Failed queries are reported without their parameters (QueryLogger); slow ones over 1 s.
    logging: ['error', 'warn', 'migration'],
    logger: new QueryLogger(input.service),
    maxQueryExecutionTime: 1_000,
    poolSize: input.poolSize ?? 10,
    extra: { statement_timeout: 30_000, idle_in_transaction_session_timeout: 60_000 },
  };
}

/** Advisory lock key shared by every instance of one service while it migrates. */
function migrationLockKey(service: string): number {
  let hash = 0;
  for (const ch of `migrations:${service}`) hash = (hash * 31 + ch.charCodeAt(0)) | 0;
  return hash;
}

/**
 * Runs pending migrations while holding a Postgres advisory lock, so two instances
 * booting together never apply the same migration twice.
 */
export async function runMigrations(dataSource: DataSource, service: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const key = migrationLockKey(service);
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [key]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
    await runner.release();
  }
}

export type { DataSourceOptions };
