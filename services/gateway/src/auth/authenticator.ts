import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Identity, verifyAccessToken } from '@licensing/identity';
import { GatewayConfig } from '../config';
import { ApiKeyResolver } from './api-key-resolver';
import { ApiKeyRevocations } from './api-key-revocations';
import { bearerToken, classifyToken, InvalidTokenError } from './token';

/**
 * Turns the Authorization header into an identity:
 *  - no header: an application (its license key is the credential; rate limited);
 *  - the operator token: the operator;
 *  - a JWT: a staff or client access token, verified locally;
 *  - anything else: a vendor API key, resolved by the keys service (cached briefly, and
 *    dropped from the cache when the keys service announces its revocation).
 * A token that matches nothing is refused with InvalidTokenError, never downgraded.
 * Tokens are never logged.
 */
@Injectable()
export class Authenticator implements OnModuleInit, OnApplicationShutdown {
  private readonly apiKeys: ApiKeyResolver;
  private readonly revocations: ApiKeyRevocations;

  constructor(@Inject(GatewayConfig) private readonly config: GatewayConfig) {
    this.apiKeys = new ApiKeyResolver({
      keysInternalUrl: config.KEYS_INTERNAL_URL,
      identitySigningSecret: config.IDENTITY_SIGNING_SECRET,
      positiveTtlMs: config.API_KEY_CACHE_TTL_MS,
    });
    this.revocations = new ApiKeyRevocations(config.REDIS_URL, this.apiKeys);
  }

  /** Before the gateway serves, it hears revocations (or has waited 2 s for Redis). */
  async onModuleInit(): Promise<void> {
    await this.revocations.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.revocations.stop();
  }

  async identify(authorization: string | undefined, requestId: string): Promise<Identity> {
    const token = bearerToken(authorization);
    if (token === undefined) return { kind: 'application' };
    const kind = classifyToken(token, this.config.OPERATOR_TOKEN);
    switch (kind) {
      case 'operator':
        return { kind: 'operator' };
      case 'access-token': {
        const identity = verifyAccessToken(this.config.ACCESS_TOKEN_SECRET, token);
        if (!identity) throw new InvalidTokenError();
        return identity;
      }
      case 'api-key': {
        const vendor = await this.apiKeys.resolve(token, requestId);
        if (!vendor) throw new InvalidTokenError();
        return { kind: 'vendor', vendorId: vendor.vendorId, apiKeyId: vendor.apiKeyId };
      }
      case 'malformed':
        throw new InvalidTokenError();
      default: {
        const never: never = kind;
        return never;
      }
    }
  }
}
