import { Inject } from '@nestjs/common';
import { Validate, ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { IsInt, IsNumber, IsString, Matches, Max, Min } from 'class-validator';
import { ServiceConfig } from '@licensing/config';
import { CorsOriginList, SERVICE_CONFIG } from '@licensing/platform';
import { DEVELOPMENT_KEK, parseKeyEncryptionKey } from './signing/key-cipher';

/**
 * SIGNING_KEY_ENCRYPTION_KEY: base64 of 32 bytes when set; required in production, where the
 * development key is refused too.
 */
@ValidatorConstraint({ name: 'signingKeyEncryptionKey' })
class SigningKeyEncryptionKeyRule implements ValidatorConstraintInterface {
  private problem = '';

  validate(value: unknown, args: ValidationArguments): boolean {
    const production = (args.object as { NODE_ENV?: string }).NODE_ENV === 'production';
    if (typeof value !== 'string' || value === '') {
      this.problem = 'is required in production (base64 of 32 random bytes: openssl rand -base64 32)';
      return !production;
    }
    const key = parseKeyEncryptionKey(value);
    if (!Buffer.isBuffer(key)) {
      this.problem = key.problem;
      return false;
    }
    this.problem = 'must not be the development key in production';
    return !(production && key.equals(DEVELOPMENT_KEK));
  }

  defaultMessage(): string {
    return `SIGNING_KEY_ENCRYPTION_KEY ${this.problem}`;
  }
}

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

  /**
   * The heartbeat interval the server asks applications for, for products whose vendor did
   * not set their own (setProductHeartbeatInterval).
   */
  @IsInt()
  @Min(1)
  @Max(3_600)
  HEARTBEAT_INTERVAL_SECONDS = 60;

  /**
   * Every heartbeat interval is multiplied by this (and rounded) before it is returned, so an
   * operator under load slows all clients down: 2 makes a 60 s product heartbeat every 120 s.
   * Sessions expire by the interval their last answer gave them.
   */
  @IsNumber()
  @Min(1)
  @Max(10)
  HEARTBEAT_LOAD_FACTOR = 1;

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

  /**
   * The key that seals the vendors' signing keys at rest (AES-256-GCM): base64 of 32 bytes.
   * Required in production; elsewhere a fixed development key stands in when it is unset.
   * Changing it needs the sealed keys re-sealed (or new keys: rotate).
   */
  @Validate(SigningKeyEncryptionKeyRule)
  SIGNING_KEY_ENCRYPTION_KEY = '';

  /** The platform part of `iss` in signed leases and checks: `<this>/<vendor prefix>`. */
  @IsString()
  @Matches(/^[\x21-\x7e]{1,100}$/, { message: 'SIGNING_ISSUER is 1-100 printable characters without spaces' })
  SIGNING_ISSUER = 'licensing';

  /**
   * Requests to the runtime endpoint (/runtime/v1/*) per client address per minute, across
   * all instances: the same budget the gateway gives token-less (application) GraphQL calls.
   */
  @IsInt()
  @Min(1)
  RUNTIME_RATE_LIMIT_PER_MINUTE = 600;

  /**
   * Browser origins allowed to call the runtime endpoint (CORS, as the gateway's setting):
   * a comma list of exact origins; empty means the cabinets' dev servers in development and
   * none otherwise; `none` means none.
   */
  @IsString()
  @Validate(CorsOriginList)
  CORS_ORIGINS = '';
}

/** The key that seals signing keys: the configured one, or the development key outside production. */
export function signingKeyEncryptionKey(config: SessionsConfig): Buffer {
  if (!config.SIGNING_KEY_ENCRYPTION_KEY) {
    if (config.NODE_ENV === 'production') throw new Error('SIGNING_KEY_ENCRYPTION_KEY is required in production');
    return DEVELOPMENT_KEK;
  }
  const key = parseKeyEncryptionKey(config.SIGNING_KEY_ENCRYPTION_KEY);
  if (!Buffer.isBuffer(key)) throw new Error(`SIGNING_KEY_ENCRYPTION_KEY ${key.problem}`);
  return key;
}

/** The Redis key prefix of one deployment: the namespace and the topic prefix. */
export function redisPrefix(config: SessionsConfig): string {
  const topics = config.KAFKA_TOPIC_PREFIX.replace(/[.:]+$/, '');
  return topics ? `${config.REDIS_NAMESPACE}:${topics}` : config.REDIS_NAMESPACE;
}

/** Injects the SessionsConfig that main.ts validated and SubgraphModule provides. */
export const InjectSessionsConfig = () => Inject(SERVICE_CONFIG);
