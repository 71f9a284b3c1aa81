import { Inject } from '@nestjs/common';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { ServiceConfig } from '@licensing/config';
import { SERVICE_CONFIG } from '@licensing/platform';

export class SessionsConfig extends ServiceConfig {
  override PORT = 4003;

  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  override DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/licensing_sessions';

  /**
   * Redis key namespace of the live sessions, the license cache and the event stream. The
   * Kafka topic prefix is appended, so deployments that share a Redis and a broker stay apart.
   */
  @IsString()
  @Matches(/^[A-Za-z0-9:_-]+$/, { message: 'REDIS_NAMESPACE may hold letters, digits, ":", "_" and "-"' })
  REDIS_NAMESPACE = 'sessions';

  /** The heartbeat interval the server asks applications for. */
  @IsInt()
  @Min(1)
  @Max(3_600)
  HEARTBEAT_INTERVAL_SECONDS = 60;

  /**
   * A session expires this many heartbeat intervals after its last heartbeat (or its start):
   * with 3, two missed heartbeats are forgiven and the third ends it.
   */
  @IsInt()
  @Min(2)
  @Max(10)
  HEARTBEAT_GRACE_INTERVALS = 3;

  /** How often each instance sweeps expired sessions; 0 turns the sweeper off. */
  @IsInt()
  @Min(0)
  SWEEP_INTERVAL_MS = 1_000;

  /** How often the lastSeenAt of bound hosts noted from heartbeats is written to Postgres; 0 turns it off. */
  @IsInt()
  @Min(0)
  BINDING_SEEN_FLUSH_MS = 5_000;

  /**
   * How often the session event stream is looked at when it is empty (a busy stream is
   * drained without pause); 0 turns the relay off on this instance.
   */
  @IsInt()
  @Min(0)
  EVENT_STREAM_POLL_MS = 100;
}

/** The Redis key prefix of one deployment: the namespace and the topic prefix. */
export function redisPrefix(config: SessionsConfig): string {
  const topics = config.KAFKA_TOPIC_PREFIX.replace(/[.:]+$/, '');
  return topics ? `${config.REDIS_NAMESPACE}:${topics}` : config.REDIS_NAMESPACE;
}

/** Injects the SessionsConfig that main.ts validated and SubgraphModule provides. */
export const InjectSessionsConfig = () => Inject(SERVICE_CONFIG);
