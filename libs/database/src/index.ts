export { ensureDatabase, dropDatabase, parseDatabaseUrl, quoteIdent } from './ensure-database';
export { serviceDataSourceOptions, runMigrations } from './data-source';
export type { ServiceDataSourceInput } from './data-source';
export { isUniqueViolation } from './errors';
