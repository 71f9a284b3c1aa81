import { createHash } from 'node:crypto';

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/**
 * A small TTL cache for API-key lookups, keyed by a SHA-256 of the key so the key itself is
 * never kept. Bounded: when full, expired entries go first, then the oldest.
 */
export class ApiKeyCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  static fingerprint(apiKey: string): string {
    return createHash('sha256').update(apiKey, 'utf8').digest('base64url');
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
    if (ttlMs <= 0 || this.maxEntries <= 0) return;
    const key = ApiKeyCache.fingerprint(apiKey);
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.evict();
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
  }

  delete(apiKey: string): void {
    this.entries.delete(ApiKeyCache.fingerprint(apiKey));
  }

  /** Drops every entry whose value matches (the cache is keyed by key, not by what it resolved to). */
  deleteWhere(matches: (value: T) => boolean): void {
    for (const [key, entry] of this.entries) if (matches(entry.value)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
    // Insertion order is age order: drop the oldest until there is room for one more.
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
