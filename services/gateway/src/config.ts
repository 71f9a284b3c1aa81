import { BlockList, isIP } from 'node:net';
import {
  IsIn,
  IsInt,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  ValidateIf,
} from 'class-validator';
import { corsOrigins } from './cors';

const url = { message: '$property must be an http(s) URL' };

/**
 * The trusted proxies of a TRUST_PROXY value, as a BlockList (which also matches IPv4-mapped
 * IPv6 peers), or undefined for none. Only addresses and CIDR ranges are accepted: a hop
 * count, `true` or a name like `loopback` would trust peers nobody listed, so they throw.
 */
export function trustedProxies(value: string): BlockList | undefined {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0 || (entries.length === 1 && /^(none|false)$/i.test(entries[0]!))) return undefined;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) {
      throw new Error(`"${entry}" is not an address or a CIDR range (list the proxies, e.g. 10.0.0.5, 10.1.0.0/16)`);
    }
    if (prefix !== undefined && Number(prefix) > bits) throw new Error(`"${entry}" has a prefix longer than ${bits}`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

/**
 * Express's `trust proxy` for a TRUST_PROXY value: false, or a test that trusts exactly the
 * listed peers. Express walks X-Forwarded-For from the right and takes the first address
 * that is not a trusted proxy, so a client can never choose its own address.
 */
export function trustProxySetting(value: string): false | ((address: string) => boolean) {
  const list = trustedProxies(value);
  if (!list) return false;
  return (address) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}

@ValidatorConstraint({ name: 'trustedProxyList' })
class TrustedProxyList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && this.problem(value) === undefined;
  }

  defaultMessage(args: ValidationArguments): string {
    return `must list proxy addresses or CIDR ranges: ${this.problem(String(args.value)) ?? 'not a string'}`;
  }

  private problem(value: string): string | undefined {
    try {
      trustedProxies(value);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
}

@ValidatorConstraint({ name: 'corsOriginList' })
class CorsOriginList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && this.problem(value) === undefined;
  }

  defaultMessage(args: ValidationArguments): string {
    return `must list origins: ${this.problem(String(args.value)) ?? 'not a string'}`;
  }

  private problem(value: string): string | undefined {
    try {
      corsOrigins(value, 'production');
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
}

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
   * The proxies whose X-Forwarded-For names the client address: a comma-separated list of
   * addresses and CIDR ranges (`10.0.0.5, 10.1.0.0/16, 2001:db8::/48`). Empty (the default),
   * `none` or `false`: no proxy, the client address is the connection's peer. Hop counts,
   * `true` and names such as `loopback` are refused: a peer is trusted only when listed.
   * The address is what the application rate limit counts and the login throttles see.
   */
  @IsString()
  @Validate(TrustedProxyList)
  TRUST_PROXY = '';

  /**
   * The browser origins allowed to call the gateway (CORS, with credentials): a comma list
   * of exact origins (`https://cabinet.example.com, https://partners.example.com`). Empty
   * (the default): the cabinets' local development servers (http://localhost:3000 and :5173)
   * when NODE_ENV is development, none otherwise. `none`: none. No wildcard.
   */
  @IsString()
  @Validate(CorsOriginList)
  CORS_ORIGINS = '';

  /** Redis key namespace of the rate limiter, so separate deployments do not share windows. */
  @IsString()
  @Matches(/^[A-Za-z0-9:_-]+$/, { message: 'RATE_LIMIT_NAMESPACE may hold letters, digits, ":", "_" and "-"' })
  RATE_LIMIT_NAMESPACE = 'gateway';
}
