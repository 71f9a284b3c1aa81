import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';

/** Variables every subgraph service reads. Defaults suit the local stack of deploy/local. */
export class ServiceConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV = 'development';

  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 0;

  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = '';

  @IsString()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @IsString()
  @Matches(/^[^,\s]+(,[^,\s]+)*$/, { message: 'KAFKA_BROKERS must be a comma-separated host:port list' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  /** Prepended to every topic name; lets tests and tenants of a shared broker stay apart. */
  @IsString()
  @IsOptional()
  KAFKA_TOPIC_PREFIX = '';

  /** Shared secret the gateway signs the identity header with. */
  @IsString()
  @MinLength(32, { message: 'IDENTITY_SIGNING_SECRET must be at least 32 characters' })
  IDENTITY_SIGNING_SECRET = '';

  @IsIn(['debug', 'log', 'warn', 'error'])
  LOG_LEVEL = 'log';

  /** `json` (default): one JSON line per event. `pretty`: readable lines for a developer's terminal. */
  @IsIn(['json', 'pretty'])
  LOG_FORMAT = 'json';

  /**
   * Base URL of an OTLP/HTTP collector (e.g. `http://127.0.0.1:4318`); traces go to
   * `<url>/v1/traces`. Unset: tracing is off and costs nothing. Read by libs/telemetry as
   * the process starts, checked here so a mistyped value stops the boot.
   */
  @ValidateIf((c: { OTEL_EXPORTER_OTLP_ENDPOINT: string }) => c.OTEL_EXPORTER_OTLP_ENDPOINT !== '')
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL' })
  OTEL_EXPORTER_OTLP_ENDPOINT = '';

  /** How spans are encoded for the collector. */
  @IsIn(['http/protobuf', 'http/json'])
  OTEL_EXPORTER_OTLP_PROTOCOL = 'http/protobuf';

  /** Run pending migrations at boot (the local stack does; production runs them as a job). */
  @IsIn(['true', 'false'])
  MIGRATE_ON_BOOT = 'true';

  @IsInt()
  @Min(1)
  OUTBOX_POLL_MS = 200;

  /**
   * Days an outbox row is kept once published, and a consumer's record of a processed event
   * (which stops a redelivery from applying it twice: Kafka redelivers within hours at most).
   */
  @IsInt()
  @Min(1)
  @Max(3650)
  EVENT_RETENTION_DAYS = 7;
}
