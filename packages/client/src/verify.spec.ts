import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { LicensingError, SdkErrorCode } from './errors';
import type { Transport } from './http';
import { CHECK_TYP, Jwks, LEASE_TYP, VendorKeys } from './verify';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

async function keyPair(kid: string) {
  const pair: KeyPair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  return { ...pair, kid, jwk };
}

function leaseToken(
  key: { privateKey: KeyPair['privateKey']; kid: string },
  over: { iss?: string; exp?: number; typ?: string } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ keyCode: 'ACME-X', productCode: 'DESK', seats: 1, heartbeatIntervalSeconds: 60 })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: over.typ ?? LEASE_TYP })
    .setIssuer(over.iss ?? 'licensing/ACME')
    .setSubject('0b8a1c4e-0000-4000-8000-000000000001')
    .setIssuedAt(now)
    .setExpirationTime(over.exp ?? now + 180)
    .sign(key.privateKey);
}

/** A transport that answers the JWKS from `published` and counts fetches. */
function jwksTransport(published: () => Jwks) {
  const fetched: string[] = [];
  const transport = {
    get: async (path: string) => {
      fetched.push(path);
      return structuredClone(published());
    },
  } as unknown as Transport;
  return { transport, fetched };
}

async function refusal(promise: Promise<unknown>): Promise<LicensingError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LicensingError);
  return error as LicensingError;
}

describe('VendorKeys: offline verification of leases and checks with the vendor JWKS', () => {
  it('verifies a lease, fetching the JWKS once for many verifications', async () => {
    const key = await keyPair('k1');
    const { transport, fetched } = jwksTransport(() => ({ keys: [key.jwk] }));
    const keys = new VendorKeys(transport, 'ACME');
    const token = await leaseToken(key);
    for (let i = 0; i < 3; i++) {
      expect(await keys.verifyLease(token)).toMatchObject({ sub: '0b8a1c4e-0000-4000-8000-000000000001', seats: 1 });
    }
    expect(fetched).toEqual(['runtime/v1/jwks/ACME']);
  });

  it('refuses a token with one changed byte, in the payload or the signature', async () => {
    const key = await keyPair('k1');
    const keys = new VendorKeys(jwksTransport(() => ({ keys: [key.jwk] })).transport, 'ACME');
    const token = await leaseToken(key);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    for (const changed of [
      `${header}.${flip(payload, 10)}.${signature}`,
      `${header}.${payload}.${flip(signature, 5)}`,
    ]) {
      expect((await refusal(keys.verifyLease(changed))).code).toBe(SdkErrorCode.INVALID_SIGNATURE);
    }
  });

  it('refuses a token signed by a key the vendor does not publish, after one refetch only', async () => {
    const own = await keyPair('own');
    const foreign = await keyPair('foreign');
    const { transport, fetched } = jwksTransport(() => ({ keys: [own.jwk] }));
    const keys = new VendorKeys(transport, 'ACME');
    const token = await leaseToken(foreign);
    expect((await refusal(keys.verifyLease(token))).code).toBe(SdkErrorCode.INVALID_SIGNATURE);
    expect((await refusal(keys.verifyLease(token))).message).toContain('does not publish');
    expect(fetched).toHaveLength(2);
    // The same kid with another key's signature: the published key does not verify it.
    const impostor = await leaseToken({ privateKey: foreign.privateKey, kid: 'own' });
    expect((await refusal(keys.verifyLease(impostor))).code).toBe(SdkErrorCode.INVALID_SIGNATURE);
  });

  it('follows a rotation: an unknown kid refetches and then verifies', async () => {
    const first = await keyPair('k1');
    const second = await keyPair('k2');
    let published = [first.jwk];
    const { transport, fetched } = jwksTransport(() => ({ keys: published }));
    const keys = new VendorKeys(transport, 'ACME');
    await keys.verifyLease(await leaseToken(first));
    published = [first.jwk, second.jwk];
    await keys.verifyLease(await leaseToken(second));
    await keys.verifyLease(await leaseToken(first));
    expect(fetched).toHaveLength(2);
  });

  it('refuses another vendor’s issuer, a check passed as a lease, and an expired lease', async () => {
    const key = await keyPair('k1');
    const keys = new VendorKeys(jwksTransport(() => ({ keys: [key.jwk] })).transport, 'ACME');
    expect((await refusal(keys.verifyLease(await leaseToken(key, { iss: 'licensing/GLBX' })))).message).toContain(
      'another vendor',
    );
    expect((await refusal(keys.verifyLease(await leaseToken(key, { typ: CHECK_TYP })))).code).toBe(
      SdkErrorCode.INVALID_SIGNATURE,
    );
    const past = Math.floor(Date.now() / 1000) - 5;
    expect((await refusal(keys.verifyLease(await leaseToken(key, { exp: past })))).code).toBe(
      SdkErrorCode.LEASE_EXPIRED,
    );
    expect((await refusal(keys.verifyLease('not.a.token'))).code).toBe(SdkErrorCode.INVALID_SIGNATURE);
  });

  it('verifies with a pinned JWKS without any fetch', async () => {
    const key = await keyPair('k1');
    const { transport, fetched } = jwksTransport(() => ({ keys: [] }));
    const keys = new VendorKeys(transport, 'ACME', { keys: [key.jwk] });
    await keys.verifyLease(await leaseToken(key));
    expect(fetched).toEqual([]);
  });
});
