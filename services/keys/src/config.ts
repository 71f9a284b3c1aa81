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

  /** Failed staff logins allowed per e-mail, and per client address, in 15 minutes. */
  @IsInt()
  @Min(1)
  LOGIN_FAILURES_PER_EMAIL = 10;

  @IsInt()
  @Min(1)
  LOGIN_FAILURES_PER_ADDRESS = 50;

  /** Failed client-cabinet logins (unknown key or coupon) allowed per client address in 15 minutes. */
  @IsInt()
  @Min(1)
  CLIENT_LOGIN_FAILURES_PER_ADDRESS = 20;

  /** Failed client-cabinet logins allowed per minute across all addresses (a distributed guess). */
  @IsInt()
  @Min(1)
  CLIENT_LOGIN_FAILURES_GLOBAL = 2_000;

  /** Redis key namespace of the login throttles, so separate deployments do not share counters. */
  @IsString()
  @Matches(/^[A-Za-z0-9:_-]+$/, { message: 'THROTTLE_NAMESPACE may hold letters, digits, ":", "_" and "-"' })
  THROTTLE_NAMESPACE = 'keys';

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
