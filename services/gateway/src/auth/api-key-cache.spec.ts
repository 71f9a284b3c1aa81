import { ApiKeyCache } from './api-key-cache';

describe('ApiKeyCache', () => {
  it('expires entries and keeps negative results apart from misses', () => {
    let now = 1_000;
    const cache = new ApiKeyCache<string | null>(10, () => now);
    cache.set('lk_known_key', 'vendor-1', 100);
    cache.set('lk_unknown', null, 50);
    expect(cache.get('lk_known_key')).toBe('vendor-1');
    expect(cache.get('lk_unknown')).toBeNull();
    expect(cache.get('lk_never_seen')).toBeUndefined();
    now += 60;
    expect(cache.get('lk_unknown')).toBeUndefined();
    expect(cache.get('lk_known_key')).toBe('vendor-1');
    now += 41;
    expect(cache.get('lk_known_key')).toBeUndefined();
  });

  it('never keeps the key itself, only its SHA-256', () => {
    const cache = new ApiKeyCache<string>(10);
    cache.set('lk_secret_key_material', 'vendor-1', 1_000);
    const stored = [...(cache as unknown as { entries: Map<string, unknown> }).entries.keys()];
    expect(stored).toEqual([ApiKeyCache.fingerprint('lk_secret_key_material')]);
    expect(stored[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(stored)).not.toContain('secret');
  });

  it('stays within its size, dropping expired entries first and then the oldest', () => {
    let now = 0;
    const cache = new ApiKeyCache<number>(3, () => now);
    cache.set('key-short', 0, 10);
    cache.set('key-1', 1, 1_000);
    cache.set('key-2', 2, 1_000);
    now = 20;
    cache.set('key-3', 3, 1_000);
    expect(cache.size).toBe(3);
    expect(cache.get('key-1')).toBe(1);
    cache.set('key-4', 4, 1_000);
    expect(cache.size).toBe(3);
    expect(cache.get('key-1')).toBeUndefined();
    expect(cache.get('key-4')).toBe(4);
  });

  it('caches nothing with a zero TTL', () => {
    const cache = new ApiKeyCache<number>(3);
    cache.set('key', 1, 0);
    expect(cache.get('key')).toBeUndefined();
  });
});
