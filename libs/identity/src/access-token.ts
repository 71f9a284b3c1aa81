import jwt from 'jsonwebtoken';
import { Identity, StaffRole } from './identity';

/**
 * Short-lived access tokens for the cabinets: staff (after `login`) and clients (after
 * `clientLogin`). Issued by the keys service, verified locally by the gateway. HS256 only.
 */
export type AccessTokenSubject =
  | { kind: 'staff'; vendorId: string; staffId: string; role: StaffRole }
  | { kind: 'client'; vendorId: string; keyId: string; keyCode: string };

const ISSUER = 'licensing-platform';
const AUDIENCE = 'licensing-cabinets';

interface Claims {
  typ: 'staff' | 'client';
  vid: string;
  role?: StaffRole;
  kc?: string;
}

export function issueAccessToken(
  secret: string,
  subject: AccessTokenSubject,
  ttlSeconds: number,
  now = Date.now(),
): { token: string; expiresAt: Date } {
  const claims: Claims =
    subject.kind === 'staff'
      ? { typ: 'staff', vid: subject.vendorId, role: subject.role }
      : { typ: 'client', vid: subject.vendorId, kc: subject.keyCode };
  const iat = Math.floor(now / 1000);
  const token = jwt.sign({ ...claims, iat, exp: iat + ttlSeconds }, secret, {
    algorithm: 'HS256',
    issuer: ISSUER,
    audience: AUDIENCE,
    subject: subject.kind === 'staff' ? subject.staffId : subject.keyId,
  });
  return { token, expiresAt: new Date((iat + ttlSeconds) * 1000) };
}

/** Returns the identity of a valid token, or undefined for anything else. */
export function verifyAccessToken(secret: string, token: string, now = Date.now()): Identity | undefined {
  let payload: jwt.JwtPayload & Partial<Claims>;
  try {
    payload = jwt.verify(token, secret, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      clockTimestamp: Math.floor(now / 1000),
    }) as jwt.JwtPayload & Partial<Claims>;
  } catch {
    return undefined;
  }
  const sub = payload.sub;
  if (!sub || !payload.vid) return undefined;
  if (payload.typ === 'staff' && (payload.role === 'OWNER' || payload.role === 'MANAGER')) {
    return { kind: 'staff', vendorId: payload.vid, staffId: sub, role: payload.role };
  }
  if (payload.typ === 'client' && payload.kc) {
    return { kind: 'client', vendorId: payload.vid, keyId: sub, keyCode: payload.kc };
  }
  return undefined;
}

/** Cheap test so the gateway sends only JWT-shaped tokens to the JWT verifier. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}
