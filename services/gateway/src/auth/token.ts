import { createHash, timingSafeEqual } from 'node:crypto';
import { looksLikeJwt } from '@licensing/identity';

/** The bearer token is refused: wrong scheme, unknown key, bad signature, expired. */
export class InvalidTokenError extends Error {
  constructor() {
    // One message for every reason, so a caller learns nothing about which part failed.
    super('The bearer token is not valid');
    this.name = 'InvalidTokenError';
  }
}

/**
 * The bearer token of an Authorization header; undefined when there is no header at all
 * (an application). A header that is present but not `Bearer <token>` is refused rather
 * than ignored, so a broken client never turns into an anonymous one.
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new InvalidTokenError();
  return match[1];
}

/** Constant-time comparison of secrets of any length (both sides are hashed first). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Vendor API keys are `lk_<prefix>_<43 base64url chars>`; the keys service accepts 8..200 characters. */
const API_KEY_SHAPE = /^[\x21-\x7e]{8,200}$/;

export type TokenKind = 'operator' | 'access-token' | 'api-key' | 'malformed';

/**
 * Which verifier a token goes to. Only the operator check is decided here; an access token
 * is then verified locally and an API key by the keys service. A token that cannot be an
 * API key is refused without a lookup.
 */
export function classifyToken(token: string, operatorToken: string): TokenKind {
  if (sameSecret(token, operatorToken)) return 'operator';
  if (looksLikeJwt(token)) return 'access-token';
  if (API_KEY_SHAPE.test(token)) return 'api-key';
  return 'malformed';
}
