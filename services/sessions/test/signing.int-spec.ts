import { createPrivateKey, createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, JWTVerifyGetKey } from 'jose';
import { row, rows, updated } from '@licensing/database';
import { DomainError } from '@licensing/graphql';
import { ChecksModule } from '../src/checks/checks.module';
import { ChecksService } from '../src/checks/checks.service';
import { ReadModelHandler } from '../src/read-model/read-model.handler';
import { SessionsModule } from '../src/sessions/sessions.module';
import { SessionsService } from '../src/sessions/sessions.service';
import { CHECK_TYP, LEASE_TYP } from '../src/signing/claims';
import { DEVELOPMENT_KEK, KeyCipher } from '../src/signing/key-cipher';
import { ACTIVE_KEY_TTL_MS, sealContext, SigningService } from '../src/signing/signing.service';
import { SessionsInstance, SessionsTestbed, TestVendor } from './sessions-testbed';

/**
 * Signed leases and checks against a real database and Redis, on two instances that share
 * them: one key per vendor however many race to make it, sealed at rest, and signatures that
 * verify with nothing but the vendor's JWKS.
 */
describe('signed leases and checks', () => {
  let testbed: SessionsTestbed;
  let acme: TestVendor;
  let globex: TestVendor;

  const keySet = async (signing: SigningService, vendor: string): Promise<JWTVerifyGetKey> =>
    createLocalJWKSet(JSON.parse(JSON.stringify(await signing.jwksFor(vendor))));
  const keyRows = (vendorId: string) =>
    rows<{ kid: string; status: string; public_x: string; sealed_private_key: string }>(
      testbed.dataSource,
      'SELECT kid, status, public_x, sealed_private_key FROM signing_keys WHERE vendor_id = $1 ORDER BY created_at',
      [vendorId],
    );
  const signingOf = (instance: SessionsInstance) => instance.get(SigningService);
  const host = (fingerprint: string) => ({
    fingerprint,
    name: 'WS',
    os: 'Linux',
    ip: '10.0.0.1',
    platformVersion: '8.3',
  });

  beforeAll(async () => {
    testbed = await SessionsTestbed.start('sessions_signing', [SessionsModule, ChecksModule], [ReadModelHandler], {
      instances: 2,
    });
    acme = await testbed.vendor('SIGN', { DESK: 'CONCURRENT_SESSIONS', PBX: 'HOST_BINDING' });
    globex = await testbed.vendor('GLBX', { DESK: 'CONCURRENT_SESSIONS' });
  });

  afterAll(() => testbed?.close());

  it('makes one key per vendor however many calls on two instances race for it, and both sign with it', async () => {
    const key = await testbed.key(acme);
    await testbed.grant(acme, key, 'DESK', { seats: 100 });
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        testbed.instances[i % 2]!.get(ChecksService).check({ keyCode: key.code, productCode: 'DESK' }),
      ),
    );
    const stored = await keyRows(acme.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.status).toBe('ACTIVE');
    expect(new Set(answers.map((a) => decodeProtectedHeader(a.signature!).kid))).toEqual(new Set([stored[0]!.kid]));
  });

  it('stores the private key sealed under the KEK and bound to its row; another KEK cannot use it', async () => {
    const [stored] = await keyRows(acme.id);
    // It opens with the KEK (the development one here) into the key whose public part is published.
    const der = new KeyCipher(DEVELOPMENT_KEK).open(stored!.sealed_private_key, sealContext(acme.id, stored!.kid));
    expect(
      createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).export({ format: 'jwk' }).x,
    ).toBe(stored!.public_x);
    expect(stored!.sealed_private_key).not.toContain(der.toString('base64url').slice(-43));
    expect(stored!.sealed_private_key).not.toContain(der.toString('base64').slice(-43, -1));
    expect(() =>
      new KeyCipher(DEVELOPMENT_KEK).open(stored!.sealed_private_key, sealContext(globex.id, stored!.kid)),
    ).toThrow(/another row/);

    // An instance with another KEK refuses to sign with it, naming the cause.
    const otherKek = await SessionsInstance.start(
      testbed.databaseUrl,
      { ...testbed.config, SIGNING_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') },
      [ChecksModule],
    );
    try {
      const key = await testbed.key(acme);
      await testbed.grant(acme, key, 'DESK');
      await expect(otherKek.get(ChecksService).check({ keyCode: key.code, productCode: 'DESK' })).rejects.toThrow(
        /sealed under another SIGNING_KEY_ENCRYPTION_KEY/,
      );
    } finally {
      await otherKek.close();
    }
  });

  it('signs a check answer that verifies offline with the JWKS alone, field for field', async () => {
    const key = await testbed.key(acme);
    await testbed.grant(acme, key, 'DESK', { expiresAt: new Date(Date.UTC(2031, 0, 2, 3)).toISOString() });
    const answer = await testbed.instances[1]!.get(ChecksService).check({ keyCode: key.code, productCode: 'DESK' });
    const signing = signingOf(testbed.main);
    for (const vendor of [acme.prefix, acme.prefix.toLowerCase(), acme.id]) {
      const { payload, protectedHeader } = await jwtVerify(answer.signature!, await keySet(signing, vendor), {
        issuer: `licensing/${acme.prefix}`,
        typ: CHECK_TYP,
        algorithms: ['EdDSA'],
      });
      expect(protectedHeader.alg).toBe('EdDSA');
      expect(payload).toMatchObject({
        jti: answer.requestId,
        requestId: answer.requestId,
        keyCode: key.code,
        productCode: 'DESK',
        active: true,
        validUntil: '2031-01-02T03:00:00.000Z',
        reason: null,
        message: answer.message,
        checkedAt: answer.checkedAt.toISOString(),
      });
    }
    // A signature is never a lease: the typ tells them apart.
    await expect(
      jwtVerify(answer.signature!, await keySet(signing, acme.id), { typ: LEASE_TYP }),
    ).rejects.toBeInstanceOf(errors.JWTClaimValidationFailed);
    // Looked up later, the check carries no signature (it is not stored).
    expect((await testbed.get(ChecksService).findById(acme.id, answer.requestId)).signature).toBeNull();
  });

  it('signs leases on acquire and heartbeat that expire with the session', async () => {
    const key = await testbed.key(acme);
    await testbed.grant(acme, key, 'PBX', { licenseModel: 'HOST_BINDING', seats: 2, expiresAt: null });
    const sessions = testbed.get(SessionsService);
    const lease = await sessions.acquire({ keyCode: key.code, productCode: 'PBX', host: host('fp-lease') });
    const jwks = await keySet(signingOf(testbed.instances[1]!), acme.prefix);
    const verified = await jwtVerify(lease.token, jwks, {
      issuer: 'licensing/SIGN',
      typ: LEASE_TYP,
      subject: lease.sessionId,
    });
    expect(verified.payload).toMatchObject({
      keyId: key.keyId,
      keyCode: key.code,
      productId: acme.products['PBX'],
      productCode: 'PBX',
      licenseModel: 'HOST_BINDING',
      licenseKind: 'MAIN',
      seats: 2,
      licenseValidUntil: null,
      hostFingerprint: 'fp-lease',
      heartbeatIntervalSeconds: lease.heartbeatIntervalSeconds,
      exp: Math.ceil(lease.expiresAt.getTime() / 1000),
    });
    expect(verified.payload.iat).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));

    const beat = await testbed.instances[1]!.get(SessionsService).heartbeat(lease.sessionId);
    const refreshed = await jwtVerify(beat.token!, jwks, { typ: LEASE_TYP, subject: lease.sessionId });
    expect(refreshed.payload).toMatchObject({
      exp: Math.ceil(beat.expiresAt.getTime() / 1000),
      hostFingerprint: 'fp-lease',
    });
    // A heartbeat that asks for no new lease extends the session and signs nothing.
    const kept = await testbed.instances[1]!.get(SessionsService).heartbeat(lease.sessionId, { signLease: false });
    expect(kept.token).toBeNull();
    expect(kept.expiresAt.getTime()).toBeGreaterThanOrEqual(beat.expiresAt.getTime());

    // A changed byte anywhere fails, in the header, the claims or the signature.
    for (const at of [5, lease.token.indexOf('.') + 10, lease.token.length - 5]) {
      const c = lease.token[at]!;
      const changed = lease.token.slice(0, at) + (c === 'A' ? 'B' : 'A') + lease.token.slice(at + 1);
      await expect(jwtVerify(changed, jwks)).rejects.toThrow();
    }
  });

  it('keeps one vendor’s keys apart from another’s', async () => {
    const key = await testbed.key(globex);
    await testbed.grant(globex, key, 'DESK');
    const globexCheck = await testbed.get(ChecksService).check({ keyCode: key.code, productCode: 'DESK' });
    const signing = signingOf(testbed.main);
    const acmeJwks = await signing.jwksFor(acme.id);
    const globexJwks = await signing.jwksFor(globex.prefix);
    expect(globexJwks.keys).toHaveLength(1);
    expect(acmeJwks.keys.map((k) => k.kid)).not.toContain(globexJwks.keys[0]!.kid);
    await expect(jwtVerify(globexCheck.signature!, await keySet(signing, acme.id))).rejects.toBeInstanceOf(
      errors.JWKSNoMatchingKey,
    );
    // The same token with the other vendor's kid in its header fails on the signature.
    const [, payload, signature] = globexCheck.signature!.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: acmeJwks.keys[0]!.kid, typ: CHECK_TYP })).toString(
      'base64url',
    );
    await expect(jwtVerify(`${header}.${payload}.${signature}`, await keySet(signing, acme.id))).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
    // The cabinet's view is the vendor's own keys only.
    expect((await signing.keySet(globex.id)).keys.map((k) => k.kid)).toEqual([globexJwks.keys[0]!.kid]);
    expect(await signing.jwksFor('ZZZZ')).toEqual({ keys: [] });
    await expect(signing.jwksFor('bad prefix')).rejects.toBeInstanceOf(DomainError);
  });

  it('rotates: the new key signs, the old one verifies until it is retired, and retiring is guarded', async () => {
    const key = await testbed.key(acme);
    await testbed.grant(acme, key, 'DESK');
    const signing = signingOf(testbed.main);
    const checks = testbed.get(ChecksService);
    const before = await checks.check({ keyCode: key.code, productCode: 'DESK' });
    const oldKid = decodeProtectedHeader(before.signature!).kid!;

    const elsewhere = testbed.instances[1]!.get(ChecksService);
    const kidOf = async (service: ChecksService) =>
      decodeProtectedHeader((await service.check({ keyCode: key.code, productCode: 'DESK' })).signature!).kid;
    expect(await kidOf(elsewhere)).toBe(oldKid);

    const rotated = await signing.rotate(acme.id, acme.prefix);
    const after = await checks.check({ keyCode: key.code, productCode: 'DESK' });
    expect(decodeProtectedHeader(after.signature!).kid).toBe(rotated.kid);
    // The other instance signs with the key it holds until it reads again (ACTIVE_KEY_TTL_MS);
    // then it keeps signing, without waiting, while one read in the background finds the new key.
    expect(await kidOf(elsewhere)).toBe(oldKid);
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now + ACTIVE_KEY_TTL_MS + 1_000);
    try {
      // The first signature after the TTL does not wait for the read: it is the held key's.
      const stale = await signingOf(testbed.instances[1]!).signCheck(acme.id, {
        requestId: randomUUID(),
        keyCode: key.code,
        productCode: 'DESK',
        active: true,
        validUntil: null,
        reason: null,
        message: 'm',
        checkedAt: new Date(),
      });
      expect(decodeProtectedHeader(stale).kid).toBe(oldKid);
      // (Date.now stands still here, so a bounded loop instead of eventually().)
      let seen: string | undefined;
      for (let i = 0; i < 100 && seen !== rotated.kid; i++) {
        await new Promise((r) => setTimeout(r, 20));
        seen = await kidOf(elsewhere);
      }
      expect(seen).toBe(rotated.kid);
    } finally {
      clock.mockRestore();
    }
    expect((await keyRows(acme.id)).map((k) => [k.kid, k.status])).toEqual([
      [oldKid, 'PUBLISHED'],
      [rotated.kid, 'ACTIVE'],
    ]);
    const jwks = await signing.jwksFor(acme.id);
    expect(jwks.keys.map((k) => k.kid)).toEqual([oldKid, rotated.kid]);
    await jwtVerify(before.signature!, createLocalJWKSet(jwks));
    await jwtVerify(after.signature!, createLocalJWKSet(jwks));

    const code = (call: Promise<unknown>) =>
      call.then(
        () => 'accepted',
        (e: DomainError) => `${e.code} ${e.message}`,
      );
    expect(await code(signing.retire(acme.id, rotated.kid))).toMatch(/BAD_USER_INPUT The active signing key/);
    expect(await code(signing.retire(acme.id, oldKid))).toMatch(/BAD_USER_INPUT .*24 hours after it stopped signing/);
    expect(await code(signing.retire(globex.id, oldKid))).toMatch(/^NOT_FOUND/);
    await updated(
      testbed.dataSource,
      `UPDATE signing_keys SET rotated_at = now() - interval '25 hours' WHERE kid = $1`,
      [oldKid],
    );
    expect((await signing.retire(acme.id, oldKid)).status).toBe('RETIRED');
    const afterRetire = await signing.jwksFor(acme.prefix);
    expect(afterRetire.keys.map((k) => k.kid)).toEqual([rotated.kid]);
    await expect(jwtVerify(before.signature!, createLocalJWKSet(afterRetire))).rejects.toBeInstanceOf(
      errors.JWKSNoMatchingKey,
    );
    const actives = await row<{ n: number }>(
      testbed.dataSource,
      `SELECT count(*)::int AS n FROM signing_keys WHERE vendor_id = $1 AND status = 'ACTIVE'`,
      [acme.id],
    );
    expect(actives!.n).toBe(1);
  });
});
