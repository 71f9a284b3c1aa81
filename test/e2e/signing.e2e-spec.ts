import { createLocalJWKSet, decodeProtectedHeader, errors, JSONWebKeySet, jwtVerify } from 'jose';
import { eventually } from '@licensing/testing';
import { contractOperation } from '../support/contract';
import { startTestStack, TestStack } from '../support/stack';

const SIGNING_KEYS = `query SigningKeys {
  signingKeys { issuer keys { kid kty crv x alg use status createdAt rotatedAt } }
}`;
const HEARTBEAT_WITH_TOKEN = `mutation Heartbeat($sessionId: ID!) {
  heartbeat(sessionId: $sessionId) { sessionId expiresAt token }
}`;

interface Vendor {
  id: string;
  prefix: string;
  apiKey: string;
}

/**
 * Signed leases and checks through the gateway: an application verifies the acquire token,
 * the heartbeat token and the check signature offline with nothing but the JWKS the cabinet
 * fetched (signingKeys), using jose as any SDK would.
 */
describe('signed leases and checks, verified offline with the JWKS alone', () => {
  let stack: TestStack;
  let acme: Vendor;
  let globex: Vendor;

  const call = (query: string, variables: Record<string, unknown> = {}, token?: string) =>
    stack.call(query, variables, token);

  /** A key registered from an application: a trial of DESK on it. */
  async function registeredKey(vendor: Vendor, n: number): Promise<string> {
    const res = await call(contractOperation('Register'), {
      input: {
        vendorPrefix: vendor.prefix,
        productCode: 'DESK',
        company: `Signed Co ${n}`,
        contactName: 'Sam',
        phone: '+1 555 0100',
        email: `sam${n}@${vendor.prefix.toLowerCase()}.test`,
        host: { fingerprint: `reg-${vendor.prefix}-${n}` },
      },
    });
    expect(res.errors).toBeUndefined();
    return res.data!['register'].licenseKey.code as string;
  }

  /** Acquires (retrying while the sessions service has not heard of the new key yet). */
  const acquire = (keyCode: string, fingerprint: string) =>
    eventually(
      async () => {
        const res = await call(contractOperation('AcquireLicense'), {
          input: { keyCode, productCode: 'DESK', host: { fingerprint, name: 'WS-1' }, session: { user: 'anna' } },
        });
        return res.data?.['acquireLicense'] as
          { sessionId: string; expiresAt: string; heartbeatIntervalSeconds: number; token: string } | undefined;
      },
      { what: 'an acquire', timeoutMs: 30_000 },
    );

  /** The vendor's JWKS as the cabinet reads it: the JWK fields of its keys. */
  async function jwksOf(vendor: Vendor): Promise<{ issuer: string | null; jwks: JSONWebKeySet }> {
    const res = await call(SIGNING_KEYS, {}, vendor.apiKey);
    expect(res.errors).toBeUndefined();
    const set = res.data!['signingKeys'] as {
      issuer: string | null;
      keys: { kid: string; kty: string; crv: string; x: string; alg: string; use: string }[];
    };
    return {
      issuer: set.issuer,
      jwks: { keys: set.keys.map(({ kid, kty, crv, x, alg, use }) => ({ kid, kty, crv, x, alg, use })) },
    };
  }

  beforeAll(async () => {
    stack = await startTestStack();
    const vendor = async (prefix: string): Promise<Vendor> => {
      const res = await call(
        contractOperation('CreateVendor'),
        { input: { prefix, name: prefix } },
        stack.operatorToken,
      );
      const created = { id: res.data!['createVendor'].vendor.id, prefix, apiKey: res.data!['createVendor'].apiKey };
      await call(
        contractOperation('CreateProduct'),
        { input: { code: 'DESK', name: 'Desktop', licenseModel: 'CONCURRENT_SESSIONS', trialDays: 30 } },
        created.apiKey,
      );
      return created;
    };
    [acme, globex] = await Promise.all([vendor('SGNA'), vendor('SGNB')]);
  }, 180_000);

  afterAll(() => stack?.close());

  it('verifies a lease, its heartbeat renewal and a check with the JWKS alone; a changed byte fails', async () => {
    const keyCode = await registeredKey(acme, 1);
    const lease = await acquire(keyCode, 'host-1');
    const checked = await call(contractOperation('CheckLicense'), { input: { keyCode, productCode: 'DESK' } });
    expect(checked.errors).toBeUndefined();
    const check = checked.data!['checkLicense'];
    const beat = await call(HEARTBEAT_WITH_TOKEN, { sessionId: lease.sessionId });
    expect(beat.errors).toBeUndefined();
    const renewed = beat.data!['heartbeat'] as { expiresAt: string; token: string };

    // From here on, only what an application holds offline: the JWKS and the answers.
    const { issuer, jwks } = await jwksOf(acme);
    expect(issuer).toBe('licensing/SGNA');
    expect(jwks.keys).toEqual([
      { kid: expect.any(String), kty: 'OKP', crv: 'Ed25519', x: expect.any(String), alg: 'EdDSA', use: 'sig' },
    ]);
    const keys = createLocalJWKSet(jwks);
    const options = { issuer: 'licensing/SGNA', algorithms: ['EdDSA'] };

    const leaseClaims = (await jwtVerify(lease.token, keys, { ...options, typ: 'license-lease+jwt' })).payload;
    expect(leaseClaims).toMatchObject({
      sub: lease.sessionId,
      exp: Math.ceil(Date.parse(lease.expiresAt) / 1000),
      keyCode,
      productCode: 'DESK',
      licenseModel: 'CONCURRENT_SESSIONS',
      licenseKind: 'TRIAL',
      seats: 1,
      hostFingerprint: 'host-1',
      heartbeatIntervalSeconds: lease.heartbeatIntervalSeconds,
    });
    const renewedClaims = (await jwtVerify(renewed.token, keys, { ...options, typ: 'license-lease+jwt' })).payload;
    expect(renewedClaims).toMatchObject({ sub: lease.sessionId, exp: Math.ceil(Date.parse(renewed.expiresAt) / 1000) });

    const checkClaims = (await jwtVerify(check.signature, keys, { ...options, typ: 'license-check+jwt' })).payload;
    expect(checkClaims).toMatchObject({
      jti: check.requestId,
      requestId: check.requestId,
      keyCode,
      productCode: 'DESK',
      active: check.active,
      validUntil: check.validUntil,
      reason: check.reason,
      message: check.message,
    });

    for (const token of [lease.token, check.signature as string]) {
      for (const at of [3, token.indexOf('.') + 7, token.lastIndexOf('.') + 7]) {
        const changed = token.slice(0, at) + (token[at] === 'x' ? 'y' : 'x') + token.slice(at + 1);
        await expect(jwtVerify(changed, keys, options)).rejects.toThrow();
      }
    }
  });

  it('keeps vendors apart: another vendor’s token fails against this JWKS, and each vendor reads only its keys', async () => {
    const acmeLease = await acquire(await registeredKey(acme, 2), 'host-2');
    const globexLease = await acquire(await registeredKey(globex, 1), 'host-3');
    const acmeSet = await jwksOf(acme);
    const globexSet = await jwksOf(globex);
    expect(globexSet.issuer).toBe('licensing/SGNB');
    const acmeKids = acmeSet.jwks.keys.map((k) => k.kid);
    const globexKids = globexSet.jwks.keys.map((k) => k.kid);
    expect(acmeKids).toContain(decodeProtectedHeader(acmeLease.token).kid);
    expect(globexKids).toEqual([decodeProtectedHeader(globexLease.token).kid]);
    expect(acmeKids.filter((kid) => globexKids.includes(kid))).toEqual([]);

    await expect(jwtVerify(globexLease.token, createLocalJWKSet(acmeSet.jwks))).rejects.toBeInstanceOf(
      errors.JWKSNoMatchingKey,
    );
    // Relabelled with this vendor's kid, the other vendor's signature does not verify either.
    const [, payload, signature] = globexLease.token.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: acmeKids[0], typ: 'license-lease+jwt' })).toString(
      'base64url',
    );
    await expect(
      jwtVerify(`${header}.${payload}.${signature}`, createLocalJWKSet(acmeSet.jwks)),
    ).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);

    // Applications and client cabinets read keys from the runtime endpoint, not from signingKeys.
    expect((await call(SIGNING_KEYS)).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const clientToken = (
      await call(contractOperation('ClientLogin'), { input: { code: await registeredKey(acme, 3) } })
    ).data!['clientLogin'].token as string;
    expect((await call(SIGNING_KEYS, {}, clientToken)).errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });
});
