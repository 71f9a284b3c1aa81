export { SubgraphModule } from './subgraph.module';
export type { SubgraphOptions, ServiceName, HealthCheckProvider } from './subgraph.module';
export { HealthController } from './health';
export type { HealthCheck } from './health';
export { createSubgraphApp, exitGracefullyOnSignals, logLevelsFor, printServiceSchema, runSubgraph } from './bootstrap';
export { inputValidationPipe } from './validation';
export { SERVICE_CONFIG, SERVICE_NAME, REDIS, HEALTH_CHECKS } from './tokens';
export { ServiceInfo, serviceInfoResolver } from './service-info';
export { MessagingModule, MessagingLifecycle, KAFKA_SETTINGS } from './messaging.module';
export type { EventHandlerRegistry, MessagingOptions } from './messaging.module';
export {
  PageInfo,
  encodeCursor,
  decodeCursor,
  assertPageSize,
  enumOf,
  toConnection,
  emptyConnection,
} from './pagination';
export type { Connection } from './pagination';
export { trim, trimOrNull, lowerTrim, emailOrNull, upperTrim } from './transforms';
export { IDEMPOTENCY_KEY_DESCRIPTION, IdempotencyKeyRules } from './idempotency';
export { UuidPipe } from './uuid.pipe';
