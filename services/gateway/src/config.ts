import { IsIn, IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';

const url = { message: '$property must be an http(s) URL' };

export class GatewayConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV = 'development';

  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 4000;

  /** The platform operator's bearer token. */
  @IsString()
  @MinLength(24, { message: 'OPERATOR_TOKEN must be at least 24 characters' })
  OPERATOR_TOKEN = '';

  @IsString()
  @MinLength(32, { message: 'IDENTITY_SIGNING_SECRET must be at least 32 characters' })
  IDENTITY_SIGNING_SECRET = '';

  @IsString()
  @MinLength(32, { message: 'ACCESS_TOKEN_SECRET must be at least 32 characters' })
  ACCESS_TOKEN_SECRET = '';

  @IsString()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @Matches(/^https?:\/\//, url) KEYS_URL = 'http://127.0.0.1:4001/graphql';
  @Matches(/^https?:\/\//, url) COUPONS_URL = 'http://127.0.0.1:4002/graphql';
  @Matches(/^https?:\/\//, url) SESSIONS_URL = 'http://127.0.0.1:4003/graphql';
  @Matches(/^https?:\/\//, url) NOTIFICATIONS_URL = 'http://127.0.0.1:4004/graphql';
  /** Where the keys service answers internal API-key lookups. */
  @Matches(/^https?:\/\//, url) KEYS_INTERNAL_URL = 'http://127.0.0.1:4001';

  @IsString()
  SUPERGRAPH_PATH = 'services/gateway/supergraph.graphql';

  @IsIn(['true', 'false'])
  GRAPHQL_INTROSPECTION = 'false';

  @IsInt() @Min(2) @Max(50) MAX_QUERY_DEPTH = 12;
  @IsInt() @Min(10) MAX_QUERY_COST = 20_000;
  @IsInt() @Min(1) MAX_ALIASES = 30;

  @IsInt() @Min(0) API_KEY_CACHE_TTL_MS = 30_000;

  /** Redis key namespace of the rate limiter, so separate deployments do not share windows. */
  @IsString() RATE_LIMIT_NAMESPACE = 'gateway';

  /** Token-less (application) requests per client address per minute. */
  @IsInt() @Min(1) APP_RATE_LIMIT_PER_MINUTE = 600;

  @IsIn(['debug', 'log', 'warn', 'error'])
  LOG_LEVEL = 'log';
}
