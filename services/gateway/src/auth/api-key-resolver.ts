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
  /** The clock of the cache (tests). */
  now?: () => number;
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

/** How long a valid key stays cached while revocations cannot be heard (see ApiKeyRevocations). */
export const UNHEARD_TTL_MS = 5_000;

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
  /** Counts forgets, so a lookup that was under way during one does not cache its answer. */
  private generation = 0;
  /** Whether revocations reach this process now; until then valid keys are cached briefly. */
  private hearing = false;

  constructor(private readonly options: ApiKeyResolverOptions) {
    this.cache = new ApiKeyCache(options.maxEntries ?? 10_000, options.now);
  }

  /** A revoked key: dropped from the cache, and a lookup under way is not reused or cached. */
  forget(apiKeyId: string): void {
    this.generation++;
    this.cache.deleteWhere((v) => v?.apiKeyId === apiKeyId);
    this.inFlight.clear();
  }

  /**
   * Revocations may have been missed (they cannot be heard, or could not be until now):
   * everything resolved is looked up again.
   */
  forgetAll(hearing: boolean): void {
    this.generation++;
    this.hearing = hearing;
    this.cache.clear();
    this.inFlight.clear();
  }

  /** The key's vendor, or null when the keys service does not know the key. */
  async resolve(apiKey: string, requestId: string): Promise<ResolvedApiKey | null> {
    const cached = this.cache.get(apiKey);
    if (cached !== undefined) return cached;
    const fingerprint = ApiKeyCache.fingerprint(apiKey);
    const pending = this.inFlight.get(fingerprint);
    if (pending) return pending;
    const lookup: Promise<ResolvedApiKey | null> = this.lookup(apiKey, requestId).finally(() => {
      // A forget may have replaced this lookup with a newer one meanwhile.
      if (this.inFlight.get(fingerprint) === lookup) this.inFlight.delete(fingerprint);
    });
    this.inFlight.set(fingerprint, lookup);
    return lookup;
  }

  private async lookup(apiKey: string, requestId: string): Promise<ResolvedApiKey | null> {
    const { keysInternalUrl, identitySigningSecret } = this.options;
    const generation = this.generation;
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
      if (generation === this.generation) this.cache.set(apiKey, null, this.options.negativeTtlMs ?? NEGATIVE_TTL_MS);
      return null;
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new ApiKeyLookupError(`HTTP ${res.status}`);
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (!isResolved(body)) throw new ApiKeyLookupError('unexpected response body');
    const found = { vendorId: body.vendorId, apiKeyId: body.apiKeyId };
    if (generation === this.generation) {
      const ttl = this.options.positiveTtlMs;
      this.cache.set(apiKey, found, this.hearing ? ttl : Math.min(ttl, UNHEARD_TTL_MS));
    }
    return found;
  }
}
