import { generateKeyPairSync } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { CompactJwsSigner } from './compact-jws';

describe('CompactJwsSigner', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const verifying = importJWK({ ...publicKey.export({ format: 'jwk' }), alg: 'EdDSA' }, 'EdDSA');
  const signer = new CompactJwsSigner('ACME-kid1', privateKey);
  const claims = {
    iss: 'https://licensing.test/ACME',
    sub: 'session-1',
    iat: 1_800_000_000,
    exp: 1_800_000_180,
    seats: 3,
    note: 'Ünïcode ✓',
  };

  it('produces a JWS that jose verifies, with the header and claims it was given', async () => {
    const token = signer.sign(claims, 'license-lease+jwt');
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', kid: 'ACME-kid1', typ: 'license-lease+jwt' });
    const { payload, protectedHeader } = await jwtVerify(token, await verifying, {
      typ: 'license-lease+jwt',
      currentDate: new Date(1_800_000_060_000),
    });
    expect(protectedHeader.kid).toBe('ACME-kid1');
    expect(payload).toEqual(claims);
  });

  it('keeps one header per typ', async () => {
    const check = signer.sign(claims, 'license-check+jwt');
    expect(decodeProtectedHeader(check).typ).toBe('license-check+jwt');
    expect(decodeProtectedHeader(signer.sign(claims, 'license-lease+jwt')).typ).toBe('license-lease+jwt');
  });

  it('signs what verifies under its own key only, and not once a byte changed', async () => {
    const token = signer.sign(claims, 'license-lease+jwt');
    const other = generateKeyPairSync('ed25519').publicKey;
    await expect(compactVerify(token, other)).rejects.toThrow();
    const [header, payload, signature] = token.split('.');
    const changed = Buffer.from(payload!, 'base64url');
    changed[5] = changed[5]! ^ 1;
    await expect(compactVerify(`${header}.${changed.toString('base64url')}.${signature}`, publicKey)).rejects.toThrow();
    await expect(compactVerify(token, publicKey)).resolves.toBeDefined();
  });

  it('refuses a key that is not an Ed25519 private key', () => {
    expect(() => new CompactJwsSigner('k', publicKey)).toThrow(/Ed25519 private key/);
    expect(() => new CompactJwsSigner('k', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)).toThrow(
      /Ed25519 private key/,
    );
  });
});
