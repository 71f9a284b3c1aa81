import { ApiKeyCache } from './api-key-cache';
import { bearerToken, InvalidTokenError } from './authenticator';

describe('bearerToken', () => {
  it('reads a bearer token and treats a missing header as no token', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer   xyz  ')).toBe('xyz');
  });

  it('refuses other schemes rather than ignoring them', () => {
    expect(() => bearerToken('Basic dXNlcjpwYXNz')).toThrow(InvalidTokenError);
    expect(() => bearerToken('Bearer')).toThrow(InvalidTokenError);
  });
});

describe('ApiKeyCache', () => {
  it('expires entries and never keeps the key itself', () => {
    let now = 1_000;
    const cache = new ApiKeyCache<string | null>(10, () => now);
    cache.set('lk_secret_key', 'vendor-1', 100);
    cache.set('lk_unknown', null, 100);
    expect(cache.get('lk_secret_key')).toBe('vendor-1');
    expect(cache.get('lk_unknown')).toBeNull();
    expect(JSON.stringify([...(cache as unknown as { entries: Map<string, unknown> }).entries.keys()])).not.toContain('lk_');
    now += 101;
    expect(cache.get('lk_secret_key')).toBeUndefined();
  });

  it('stays within its size by dropping the oldest entries', () => {
    const cache = new ApiKeyCache<number>(3);
    for (let i = 0; i < 5; i++) cache.set(`key-${i}`, i, 60_000);
    expect(cache.size).toBe(3);
    expect(cache.get('key-0')).toBeUndefined();
    expect(cache.get('key-4')).toBe(4);
  });
});
