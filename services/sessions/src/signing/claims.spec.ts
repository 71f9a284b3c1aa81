import { checkClaims, issuerOf, leaseClaims } from './claims';

describe('claims of signed leases and checks', () => {
  const lease = {
    issuer: issuerOf('licensing', 'ACME'),
    sessionId: '0b6f9a52-5c55-4a0e-9a53-2d7f8e1c7a10',
    keyId: '8f1c2b0e-0e6a-4f6b-9a3e-2f1d6c5b4a39',
    keyCode: 'ACME-AAAAA-BBBBB-CCCCC-DDDDD',
    productId: '1d7e8f90-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
    productCode: 'DESK',
    licenseModel: 'CONCURRENT_SESSIONS' as const,
    licenseKind: 'MAIN' as const,
    seats: 3,
    licenseValidUntil: new Date('2026-08-07T10:30:00.000Z'),
    hostFingerprint: 'fp-1',
    heartbeatIntervalSeconds: 60,
    issuedAt: new Date('2026-01-01T00:00:00.900Z'),
    expiresAt: new Date('2026-01-01T00:03:00.100Z'),
  };

  it('states the session as sub, the vendor as iss, and expires with the session (rounded up to the second)', () => {
    expect(leaseClaims(lease)).toEqual({
      iss: 'licensing/ACME',
      sub: lease.sessionId,
      iat: Date.parse('2026-01-01T00:00:00Z') / 1000,
      exp: Date.parse('2026-01-01T00:03:01Z') / 1000,
      keyId: lease.keyId,
      keyCode: lease.keyCode,
      productId: lease.productId,
      productCode: 'DESK',
      licenseModel: 'CONCURRENT_SESSIONS',
      licenseKind: 'MAIN',
      seats: 3,
      licenseValidUntil: '2026-08-07T10:30:00.000Z',
      hostFingerprint: 'fp-1',
      heartbeatIntervalSeconds: 60,
    });
  });

  it('writes a perpetual license as null and leaves out a host it does not know', () => {
    const claims = leaseClaims({ ...lease, licenseValidUntil: null, hostFingerprint: null });
    expect(claims['licenseValidUntil']).toBeNull();
    expect(claims).not.toHaveProperty('hostFingerprint');
  });

  it('signs every field of a check answer, the request id as jti, and no expiry', () => {
    const checkedAt = new Date('2026-03-04T05:06:07.089Z');
    const claims = checkClaims({
      issuer: 'licensing/ACME',
      requestId: '01890a5d-ac96-774b-bcce-b302099a8057',
      keyCode: lease.keyCode,
      productCode: 'DESK',
      active: false,
      validUntil: null,
      reason: 'EXPIRED',
      message: 'License expired on 01.03.2026',
      checkedAt,
    });
    expect(claims).toEqual({
      iss: 'licensing/ACME',
      sub: lease.keyCode,
      jti: '01890a5d-ac96-774b-bcce-b302099a8057',
      iat: Math.floor(checkedAt.getTime() / 1000),
      requestId: '01890a5d-ac96-774b-bcce-b302099a8057',
      keyCode: lease.keyCode,
      productCode: 'DESK',
      active: false,
      validUntil: null,
      reason: 'EXPIRED',
      message: 'License expired on 01.03.2026',
      checkedAt: '2026-03-04T05:06:07.089Z',
    });
    expect(claims).not.toHaveProperty('exp');
  });
});
