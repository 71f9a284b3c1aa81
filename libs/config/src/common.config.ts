import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';

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
