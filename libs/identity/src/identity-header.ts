import { createHmac, timingSafeEqual } from 'node:crypto';
import { Identity, RequestContext } from './identity';

/** The header the gateway sets on every subgraph request. */
export const IDENTITY_HEADER = 'x-licensing-identity';
export const REQUEST_ID_HEADER = 'x-request-id';

/** How long a signed header stays acceptable: long enough for a slow query plan, short for replay. */
const MAX_AGE_MS = 5 * 60_000;
const CLOCK_SKEW_MS = 30_000;

interface SignedBody {
  v: 1;
  /** issued at, ms since epoch */
  iat: number;
  rid: string;
  ip: string;
  id: Identity;
}

function mac(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

export class IdentityHeaderError extends Error {
  constructor(reason: string) {
    super(`Identity header refused: ${reason}`);
    this.name = 'IdentityHeaderError';
  }
}

export function signIdentityHeader(secret: string, context: RequestContext, now = Date.now()): string {
  const body: SignedBody = { v: 1, iat: now, rid: context.requestId, ip: context.clientIp, id: context.identity };
  const encoded = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${encoded}.${mac(secret, encoded).toString('base64url')}`;
}

function isIdentity(value: unknown): value is Identity {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const str = (k: string) => typeof v[k] === 'string' && (v[k] as string).length > 0;
  switch (v['kind']) {
    case 'operator':
    case 'application':
      return true;
    case 'vendor':
      return str('vendorId') && str('apiKeyId');
    case 'staff':
      return str('vendorId') && str('staffId') && (v['role'] === 'OWNER' || v['role'] === 'MANAGER');
    case 'client':
      return str('vendorId') && str('keyId') && str('keyCode');
    default:
      return false;
  }
}

/** Verifies the gateway's signature and freshness; throws IdentityHeaderError otherwise. */
export function verifyIdentityHeader(secret: string, header: string | undefined, now = Date.now()): RequestContext {
  if (!header) throw new IdentityHeaderError('missing');
  const [encoded, signature, extra] = header.split('.');
  if (!encoded || !signature || extra !== undefined) throw new IdentityHeaderError('malformed');
  const expected = mac(secret, encoded);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new IdentityHeaderError('bad signature');
  }
  let body: SignedBody;
  try {
    body = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as SignedBody;
  } catch {
    throw new IdentityHeaderError('unreadable');
  }
  if (body.v !== 1 || typeof body.iat !== 'number' || typeof body.rid !== 'string' || !isIdentity(body.id)) {
    throw new IdentityHeaderError('unexpected content');
  }
  if (body.iat > now + CLOCK_SKEW_MS || now - body.iat > MAX_AGE_MS) throw new IdentityHeaderError('expired');
  return { identity: body.id, requestId: body.rid, clientIp: typeof body.ip === 'string' ? body.ip : '' };
}
