export { testInfrastructure } from './infrastructure';
export type { TestInfrastructure } from './infrastructure';
export { createTestDatabase, uniqueTopicPrefix, eventually } from './databases';
export type { TestDatabase } from './databases';
