import { IDENTITY_HEADER, signIdentityHeader } from '@licensing/identity';
import { ApiKeyCache } from './api-key-cache';

export interface ResolvedApiKey {
  vendorId: string;
  apiKeyId: string;
}

export interface ApiKeyResolverOptions {
  /** Base URL of the keys service's internal API (`KEYS_INTERNAL_URL`). */
  keysInternalUrl: string;
  identitySigningSecret: string;
  /** How long a valid key stays cached (`API_KEY_CACHE_TTL_MS`). */
  positiveTtlMs: number;
  negativeTtlMs?: number;
  maxEntries?: number;
  timeoutMs?: number;
}

/** The keys service could not answer; the caller is neither admitted nor refused. */
export class ApiKeyLookupError extends Error {
  constructor(reason: string) {
    super(`API key lookup failed: ${reason}`);
    this.name = 'ApiKeyLookupError';
  }
}

/** Unknown keys are remembered briefly too, so a client retrying a wrong key is cheap. */
export const NEGATIVE_TTL_MS = 5_000;

function isResolved(body: unknown): body is ResolvedApiKey {
  const b = body as Partial<Record<keyof ResolvedApiKey, unknown>> | null;
  return typeof b?.vendorId === 'string' && b.vendorId !== '' && typeof b.apiKeyId === 'string' && b.apiKeyId !== '';
}

/**
 * Turns a vendor API key into its vendor by asking the keys service (signing as the
 * operator, since only the gateway may ask), with an in-process cache and one lookup in
 * flight per key however many requests carry it at once.
 */
export class ApiKeyResolver {
  private readonly cache: ApiKeyCache<ResolvedApiKey | null>;
  private readonly inFlight = new Map<string, Promise<ResolvedApiKey | null>>();

  constructor(private readonly options: ApiKeyResolverOptions) {
    this.cache = new ApiKeyCache(options.maxEntries ?? 10_000);
  }

  /** The key's vendor, or null when the keys service does not know the key. */
  async resolve(apiKey: string, requestId: string): Promise<ResolvedApiKey | null> {
    const cached = this.cache.get(apiKey);
    if (cached !== undefined) return cached;
    const fingerprint = ApiKeyCache.fingerprint(apiKey);
    const pending = this.inFlight.get(fingerprint);
    if (pending) return pending;
    const lookup = this.lookup(apiKey, requestId).finally(() => this.inFlight.delete(fingerprint));
    this.inFlight.set(fingerprint, lookup);
    return lookup;
  }

  private async lookup(apiKey: string, requestId: string): Promise<ResolvedApiKey | null> {
    const { keysInternalUrl, identitySigningSecret } = this.options;
    let res: Response;
    try {
      res = await fetch(`${keysInternalUrl.replace(/\/+$/, '')}/internal/api-keys/resolve`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-request-id': requestId,
          [IDENTITY_HEADER]: signIdentityHeader(identitySigningSecret, {
            identity: { kind: 'operator' },
            requestId,
            clientIp: '',
          }),
        },
        body: JSON.stringify({ apiKey }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 3_000),
      });
    } catch (error) {
      throw new ApiKeyLookupError(error instanceof Error ? error.message : String(error));
    }
    if (res.status === 404 || res.status === 400) {
      await res.body?.cancel();
      this.cache.set(apiKey, null, this.options.negativeTtlMs ?? NEGATIVE_TTL_MS);
      return null;
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new ApiKeyLookupError(`HTTP ${res.status}`);
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (!isResolved(body)) throw new ApiKeyLookupError('unexpected response body');
    const found = { vendorId: body.vendorId, apiKeyId: body.apiKeyId };
    this.cache.set(apiKey, found, this.options.positiveTtlMs);
    return found;
  }
}
