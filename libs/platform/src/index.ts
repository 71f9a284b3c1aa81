export { SubgraphModule } from './subgraph.module';
export type { SubgraphOptions, ServiceName, HealthCheckProvider } from './subgraph.module';
export { HealthController } from './health';
export type { HealthCheck } from './health';
export {
  createSubgraphApp,
  exitGracefullyOnSignals,
  logLevelsFor,
  printServiceSchema,
  runSubgraph,
  useJsonLogger,
} from './bootstrap';
export {
  accessLogMiddleware,
  failBoot,
  loggerModule,
  graphqlLogPlugin,
  GraphQLErrorsPassThrough,
  operationNameOf,
  pinoOptions,
  safeError,
  REDACTED_PATHS,
} from './logging';
export type { LoggingSettings } from './logging';
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
export { Text, OptionalText } from './input-rules';
export { HostInput } from './host.input';
export { IDEMPOTENCY_KEY_DESCRIPTION, IdempotencyKeyRules } from './idempotency';
export { UuidPipe } from './uuid.pipe';
export { Metrics, LATENCY_BUCKETS, probe, cached } from './metrics/metrics';
export {
  graphqlMetricsPlugin,
  graphqlSeries,
  operationLabel,
  errorCodeLabel,
  CONTRACT_OPERATIONS,
} from './metrics/graphql-metrics';
export { MetricsController } from './metrics/metrics.controller';
export { registerRedisMetrics } from './metrics/infrastructure-metrics';
export { SharedWindowLimiter } from './shared-window-limiter';
export type { SharedWindowOptions, WindowAdmission } from './shared-window-limiter';
export { RATE_LIMIT_HEADERS, rateLimitHeaders, rateLimitHeadersPlugin } from './rate-limit-headers';
export { RetentionService, purgeSentOutbox, purgeProcessedEvents, IDEMPOTENCY_RETENTION_MS } from './retention';
export type { RetentionResult } from './retention';
export { corsOrigins, corsOriginsProblem, CorsOriginList, plainCors, DEVELOPMENT_ORIGINS } from './cors';
export type { PlainCorsPolicy } from './cors';
