import { IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { Inject } from '@nestjs/common';
import { ServiceConfig } from '@licensing/config';
import { SERVICE_CONFIG } from '@licensing/platform';

export class KeysConfig extends ServiceConfig {
  override PORT = 4001;

  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  override DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/licensing_keys';

  /** Signs the cabinets' access tokens; the gateway verifies them with the same secret. */
  @IsString()
  @MinLength(32, { message: 'ACCESS_TOKEN_SECRET must be at least 32 characters' })
  ACCESS_TOKEN_SECRET = '';

  @IsInt()
  @Min(60)
  @Max(86_400)
  ACCESS_TOKEN_TTL_SECONDS = 900;

  /**
   * Login throttles (docs/domain.md#throttles-and-limits), each counted in Redis over 15
   * minutes. Failed staff logins allowed for one e-mail from one client address; past it
   * that e-mail is refused from that address only.
   */
  @IsInt()
  @Min(1)
  LOGIN_FAILURES_PER_EMAIL = 10;

  /** Failed staff logins allowed from one client address (an IPv6 /64), whatever the e-mail. */
  @IsInt()
  @Min(1)
  LOGIN_FAILURES_PER_ADDRESS = 50;

  /**
   * Failed staff logins of one e-mail from all addresses after which each further attempt on
   * it waits (250 ms more per failure, at most LOGIN_SLOWDOWN_MAX_MS): slowed, never locked.
   */
  @IsInt()
  @Min(1)
  LOGIN_SLOWDOWN_AFTER = 20;

  @IsInt()
  @Min(0)
  @Max(30_000)
  LOGIN_SLOWDOWN_MAX_MS = 5_000;

  /** Different unknown codes a client address may try in the client cabinet's login. */
  @IsInt()
  @Min(1)
  CLIENT_LOGIN_FAILURES_PER_ADDRESS = 20;

  /** Failed client logins with one code from one address (retries of one code count here only). */
  @IsInt()
  @Min(1)
  CLIENT_LOGIN_FAILURES_PER_CODE = 10;

  /** Redis key namespace of the login throttles, so separate deployments do not share counters. */
  @IsString()
  @Matches(/^[A-Za-z0-9:_-]+$/, { message: 'THROTTLE_NAMESPACE may hold letters, digits, ":", "_" and "-"' })
  THROTTLE_NAMESPACE = 'keys';

  /**
   * How far the key list counts its matches (licenseKeys.totalCount): up to this many exactly;
   * past it the count stops and says so (totalCountIsExact false), since an exact count over a
   * term found in a large share of a million keys costs far more than the page it goes with.
   */
  @IsInt()
  @Min(1)
  @Max(100_000)
  KEY_SEARCH_COUNT_LIMIT = 1_000;

  /** How often the expiry scheduler looks for licenses to remind about or expire; 0 turns it off. */
  @IsInt()
  @Min(0)
  EXPIRY_SCAN_MS = 60_000;
}

/**
 * Injects the service's configuration: the KeysConfig that main.ts validated and handed to
 * SubgraphModule, which provides it to every module.
 */
export const InjectKeysConfig = () => Inject(SERVICE_CONFIG);
