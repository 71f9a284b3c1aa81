import { createHash } from 'node:crypto';

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/**
 * A small TTL cache for API-key lookups, keyed by a SHA-256 of the key so the key itself
 * never sits in memory longer than the request. Bounded: the oldest entries go first.
 */
export class ApiKeyCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  static fingerprint(apiKey: string): string {
    return createHash('sha256').update(apiKey).digest('base64url');
  }

  get(apiKey: string): T | undefined {
    const key = ApiKeyCache.fingerprint(apiKey);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(apiKey: string, value: T, ttlMs: number): void {
    if (ttlMs <= 0) return;
    const key = ApiKeyCache.fingerprint(apiKey);
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
