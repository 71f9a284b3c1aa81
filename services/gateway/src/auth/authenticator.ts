import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Identity, looksLikeJwt, signIdentityHeader, verifyAccessToken, IDENTITY_HEADER } from '@licensing/identity';
import { GatewayConfig } from '../config';
import { ApiKeyCache } from './api-key-cache';

type ApiKeyResult = { vendorId: string; apiKeyId: string } | null;

const NEGATIVE_TTL_MS = 5_000;

export class InvalidTokenError extends Error {
  constructor() {
    super('The bearer token is not valid');
  }
}

/** Extracts the bearer token; undefined when there is no Authorization header. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new InvalidTokenError();
  return match[1];
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Turns a bearer token into an identity: the operator token, a cabinet access token
 * (verified locally), or a vendor API key (verified by the keys service, cached briefly).
 * No token is an application. A token that matches nothing is refused, never downgraded.
 */
@Injectable()
export class Authenticator {
  private readonly logger = new Logger('Auth');
  private readonly cache = new ApiKeyCache<ApiKeyResult>();

  constructor(@Inject(GatewayConfig) private readonly config: GatewayConfig) {}

  async identify(authorization: string | undefined, requestId: string): Promise<Identity> {
    const token = bearerToken(authorization);
    if (token === undefined) return { kind: 'application' };
    if (sameSecret(token, this.config.OPERATOR_TOKEN)) return { kind: 'operator' };
    if (looksLikeJwt(token)) {
      const identity = verifyAccessToken(this.config.ACCESS_TOKEN_SECRET, token);
      if (!identity) throw new InvalidTokenError();
      return identity;
    }
    const vendor = await this.resolveApiKey(token, requestId);
    if (!vendor) throw new InvalidTokenError();
    return { kind: 'vendor', vendorId: vendor.vendorId, apiKeyId: vendor.apiKeyId };
  }

  private async resolveApiKey(apiKey: string, requestId: string): Promise<ApiKeyResult> {
    const cached = this.cache.get(apiKey);
    if (cached !== undefined) return cached;
    const res = await fetch(`${this.config.KEYS_INTERNAL_URL}/internal/api-keys/resolve`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [IDENTITY_HEADER]: signIdentityHeader(this.config.IDENTITY_SIGNING_SECRET, {
          identity: { kind: 'operator' },
          requestId,
          clientIp: '',
        }),
      },
      body: JSON.stringify({ apiKey }),
      signal: AbortSignal.timeout(3_000),
    });
    if (res.status === 404 || res.status === 400) {
      this.cache.set(apiKey, null, NEGATIVE_TTL_MS);
      return null;
    }
    if (!res.ok) {
      this.logger.error(`API key lookup failed with HTTP ${res.status} (request ${requestId})`);
      throw new Error('API key lookup failed');
    }
    const found = (await res.json()) as { vendorId: string; apiKeyId: string };
    this.cache.set(apiKey, found, this.config.API_KEY_CACHE_TTL_MS);
    return found;
  }
}
