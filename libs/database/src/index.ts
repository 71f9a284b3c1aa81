export { ensureDatabase, dropDatabase, parseDatabaseUrl, quoteIdent } from './ensure-database';
export { serviceDataSourceOptions, runMigrations } from './data-source';
export type { ServiceDataSourceInput } from './data-source';
export { isDataException, isUniqueViolation } from './errors';
export { row, rows, transactionClient, updated } from './sql';
export type { Sql } from './sql';
export { QueryLogger, describeQueryError, describeStatement } from './query-logger';
export { claimIdempotencyKey, createIdempotencyMigration, purgeIdempotencyKeys, requestHash } from './idempotency';
export type { IdempotencyClaim } from './idempotency';
