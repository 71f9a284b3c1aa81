import { IsIn, IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';

const url = { message: '$property must be an http(s) URL' };

/**
 * The gateway's configuration, read from the environment by `validateEnv(GatewayConfig)`.
 * Every default lives here and nowhere else; a bad or missing variable stops the boot with
 * its name.
 */
export class GatewayConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV = 'development';

  /** 0 lets the system pick a free port (tests). */
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 4000;

  @IsIn(['debug', 'log', 'warn', 'error'])
  LOG_LEVEL = 'log';

  /** The platform operator's bearer token (compared in constant time). */
  @IsString()
  @MinLength(24, { message: 'OPERATOR_TOKEN must be at least 24 characters' })
  OPERATOR_TOKEN = '';

  /** Shared with the subgraphs: signs the identity header they trust. */
  @IsString()
  @MinLength(32, { message: 'IDENTITY_SIGNING_SECRET must be at least 32 characters' })
  IDENTITY_SIGNING_SECRET = '';

  /** Verifies the cabinets' access tokens (issued by the keys service). */
  @IsString()
  @MinLength(32, { message: 'ACCESS_TOKEN_SECRET must be at least 32 characters' })
  ACCESS_TOKEN_SECRET = '';

  @IsString()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Subgraph endpoints; they override the URLs written into the supergraph file. */
  @Matches(/^https?:\/\//, url) KEYS_URL = 'http://127.0.0.1:4001/graphql';
  @Matches(/^https?:\/\//, url) COUPONS_URL = 'http://127.0.0.1:4002/graphql';
  @Matches(/^https?:\/\//, url) SESSIONS_URL = 'http://127.0.0.1:4003/graphql';
  @Matches(/^https?:\/\//, url) NOTIFICATIONS_URL = 'http://127.0.0.1:4004/graphql';

  /** Where the keys service answers internal API-key lookups (`/internal/api-keys/resolve`). */
  @Matches(/^https?:\/\//, url) KEYS_INTERNAL_URL = 'http://127.0.0.1:4001';

  /** The supergraph composed ahead of time (`scripts/compose-supergraph.ts`), relative to cwd. */
  @IsString()
  @MinLength(1)
  SUPERGRAPH_PATH = 'services/gateway/supergraph.graphql';

  @IsIn(['true', 'false'])
  GRAPHQL_INTROSPECTION = 'false';

  /** Deepest field nesting of an operation (root fields are depth 1; introspection excluded). */
  @IsInt() @Min(2) @Max(100) MAX_QUERY_DEPTH = 12;
  /** Fields weighted by the page sizes of the lists around them. */
  @IsInt() @Min(10) MAX_QUERY_COST = 5000;
  @IsInt() @Min(0) MAX_ALIASES = 30;
  /** Lexical tokens of one document; bounds parsing and validation work before any other limit. */
  @IsInt() @Min(100) MAX_QUERY_TOKENS = 5000;

  /** Largest request body accepted, in bytes; a larger one gets 413 PAYLOAD_TOO_LARGE. */
  @IsInt() @Min(1024) MAX_BODY_BYTES = 100_000;

  /** How long a resolved vendor API key stays cached in this process. 0 disables the cache. */
  @IsInt() @Min(0) API_KEY_CACHE_TTL_MS = 30_000;

  /** Token-less (application) requests per client address per minute, across all gateway instances. */
  @IsInt() @Min(1) APP_RATE_LIMIT_PER_MINUTE = 600;

  /**
   * Which proxies may name the client address in X-Forwarded-For (Express's `trust proxy`):
   * `false`, a hop count, or a comma-separated list of addresses, subnets or the names
   * loopback / linklocal / uniquelocal. The address is what the application rate limit counts.
   */
  @IsString()
  @Matches(/^(false|\d+|[A-Za-z0-9.:/, ]+)$/, { message: 'TRUST_PROXY must be false, a hop count or an address list' })
  TRUST_PROXY = 'loopback, linklocal, uniquelocal';

  /** Redis key namespace of the rate limiter, so separate deployments do not share windows. */
  @IsString()
  @Matches(/^[A-Za-z0-9:_-]+$/, { message: 'RATE_LIMIT_NAMESPACE may hold letters, digits, ":", "_" and "-"' })
  RATE_LIMIT_NAMESPACE = 'gateway';
}
