import { createHash, randomBytes } from 'node:crypto';

/**
 * API keys carry 256 random bits, so a fast hash is the right tool: SHA-256 lets the
 * gateway's lookup be one indexed query, and nothing can be brute-forced from it.
 */
export function generateApiKey(prefix: string): { key: string; hash: string; displayPrefix: string } {
  const key = `lk_${prefix.toLowerCase()}_${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key), displayPrefix: key.slice(0, 12) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
