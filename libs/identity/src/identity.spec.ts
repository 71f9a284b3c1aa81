import { ErrorCode } from '@licensing/graphql';
import {
  assertAdmitted,
  findOperationsWithoutAccessRules,
  issueAccessToken,
  requireVendorId,
  signIdentityHeader,
  verifyAccessToken,
  verifyIdentityHeader,
  Allow,
  Identity,
  RequestContext,
} from './index';
import { Mutation, Query, Resolver } from '@nestjs/graphql';

const SECRET = 'a-test-signing-secret-of-enough-length-0123456789';
const staff: Identity = { kind: 'staff', vendorId: 'v1', staffId: 's1', role: 'MANAGER' };
const ctx: RequestContext = { identity: staff, requestId: 'req-1', clientIp: '10.0.0.1' };

describe('identity header', () => {
  it('round-trips a signed identity', () => {
    expect(verifyIdentityHeader(SECRET, signIdentityHeader(SECRET, ctx))).toEqual(ctx);
  });

  it('refuses a missing, tampered, foreign or stale header', () => {
    const header = signIdentityHeader(SECRET, ctx);
    const [body, sig] = header.split('.') as [string, string];
    const forged = Buffer.from(
      JSON.stringify({ v: 1, iat: Date.now(), rid: 'x', ip: '', id: { kind: 'operator' } }),
    ).toString('base64url');
    expect(() => verifyIdentityHeader(SECRET, undefined)).toThrow(/missing/);
    expect(() => verifyIdentityHeader(SECRET, `${forged}.${sig}`)).toThrow(/bad signature/);
    expect(() => verifyIdentityHeader(SECRET.replace('a', 'b'), header)).toThrow(/bad signature/);
    expect(() => verifyIdentityHeader(SECRET, `${body}`)).toThrow(/malformed/);
    const old = signIdentityHeader(SECRET, ctx, Date.now() - 10 * 60_000);
    expect(() => verifyIdentityHeader(SECRET, old)).toThrow(/expired/);
  });
});

describe('access tokens', () => {
  it('issues and verifies staff and client tokens', () => {
    const s = issueAccessToken(SECRET, { kind: 'staff', vendorId: 'v1', staffId: 's1', role: 'OWNER' }, 900);
    expect(verifyAccessToken(SECRET, s.token)).toEqual({ kind: 'staff', vendorId: 'v1', staffId: 's1', role: 'OWNER' });
    const c = issueAccessToken(SECRET, { kind: 'client', vendorId: 'v1', keyId: 'k1', keyCode: 'MIKO-1' }, 900);
    expect(verifyAccessToken(SECRET, c.token)).toEqual({
      kind: 'client',
      vendorId: 'v1',
      keyId: 'k1',
      keyCode: 'MIKO-1',
    });
    expect(c.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('refuses expired tokens and tokens signed with another secret', () => {
    const s = issueAccessToken(
      SECRET,
      { kind: 'staff', vendorId: 'v1', staffId: 's1', role: 'OWNER' },
      60,
      Date.now() - 120_000,
    );
    expect(verifyAccessToken(SECRET, s.token)).toBeUndefined();
    const other = issueAccessToken(
      'another-secret-another-secret-another',
      { kind: 'client', vendorId: 'v', keyId: 'k', keyCode: 'c' },
      60,
    );
    expect(verifyAccessToken(SECRET, other.token)).toBeUndefined();
    expect(verifyAccessToken(SECRET, 'not.a.jwt')).toBeUndefined();
  });
});

describe('access rules', () => {
  it('admits owners and API keys to owner operations, not managers', () => {
    const apiKey: Identity = { kind: 'vendor', vendorId: 'v1', apiKeyId: 'k' };
    expect(() => assertAdmitted(['vendor-owner'], apiKey, 'createStaff')).not.toThrow();
    expect(() => assertAdmitted(['vendor-owner'], { ...staff, role: 'OWNER' }, 'createStaff')).not.toThrow();
    expect(() => assertAdmitted(['vendor-owner'], staff, 'createStaff')).toThrow(
      expect.objectContaining({ code: ErrorCode.FORBIDDEN }),
    );
  });

  it('tells an anonymous caller to authenticate', () => {
    expect(() => assertAdmitted(['vendor'], { kind: 'application' }, 'products')).toThrow(
      expect.objectContaining({ code: ErrorCode.UNAUTHENTICATED }),
    );
  });

  it('scopes to the caller vendor and refuses callers without one', () => {
    expect(requireVendorId(staff)).toBe('v1');
    expect(() => requireVendorId({ kind: 'application' })).toThrow();
  });

  it('finds operations that state no rule', () => {
    @Resolver()
    class Sample {
      @Allow('vendor')
      @Query(() => String)
      guarded() {
        return 'x';
      }
      @Mutation(() => String)
      forgotten() {
        return 'y';
      }
    }
    expect(findOperationsWithoutAccessRules([Sample])).toEqual(['Sample.forgotten']);
  });
});
