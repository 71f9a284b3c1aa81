// Sessions: signing on the hot path. Every acquire, heartbeat and check signs a JWS with the
// vendor's Ed25519 key; this measures SigningService itself (from dist/, after `npm run build`)
// on one core, with the vendor's key already opened (as it is after the first signature):
//   lease token   signLease: the claims, jose's SignJWT, WebCrypto Ed25519 with a cached CryptoKey
//   check         signCheck, the same way
//   verify        jose's jwtVerify of a lease against a local JWKS (what an SDK does offline)
// next to the ceiling measured in the same run: node:crypto's one-shot Ed25519 sign of a
// payload of the same size with a KeyObject, no JOSE around it. Concurrency 64 (signatures
// in flight at once, as under load). Figures are reported, never asserted.
const path = require('node:path');
const crypto = require('node:crypto');
const { randomUUID } = require('node:crypto');
const { round } = require('../lib/stats');

const SECONDS = Number(process.env.BENCH_SECONDS || 4);
const IN_FLIGHT = 64;

/** Calls per second of `fn` with IN_FLIGHT calls under way for SECONDS. */
async function rate(fn) {
  const until = Date.now() + SECONDS * 1000;
  let done = 0;
  const lane = async () => {
    while (Date.now() < until) {
      await fn();
      done++;
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return done / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function run({ root }) {
  require(path.join(root, 'scripts', 'runtime-paths.js'));
  const { SigningService } = require(path.join(root, 'dist/services/sessions/src/signing/signing.service.js'));
  const { createLocalJWKSet, jwtVerify } = require('jose');

  // The repository in memory: the sealing, opening and signing are the real ones.
  const rows = [];
  const repository = {
    findActive: async (vendorId) => rows.find((r) => r.vendorId === vendorId && r.status === 'ACTIVE') ?? null,
    findByKid: async (vendorId, kid) => rows.find((r) => r.vendorId === vendorId && r.kid === kid) ?? null,
    findPublished: async (vendorId) => rows.filter((r) => r.vendorId === vendorId),
    insertActive: async (vendorId, key) => {
      rows.push({ ...key, vendorId, status: 'ACTIVE', createdAt: new Date(), rotatedAt: null, retiredAt: null });
      return true;
    },
  };
  const config = { SIGNING_KEY_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'), SIGNING_ISSUER: 'licensing' };
  const signing = new SigningService(repository, config);
  const vendorId = randomUUID();
  const standing = {
    keyId: randomUUID(),
    vendorId,
    keyCode: 'BSIG-AAAAA-BBBBB-CCCCC-DDDDD',
    productId: randomUUID(),
    productCode: 'DESK',
    licenseModel: 'CONCURRENT_SESSIONS',
    active: true,
    seats: 10,
    validUntil: new Date(Date.now() + 365 * 86_400_000),
    kind: 'MAIN',
    reason: null,
    message: 'License active until 07.08.2027',
  };
  const seat = () => ({
    sessionId: randomUUID(),
    expiresAt: new Date(Date.now() + 180_000),
    heartbeatIntervalSeconds: 60,
    hostFingerprint: 'bench-host-fingerprint',
  });
  const check = () => ({
    requestId: randomUUID(),
    keyCode: standing.keyCode,
    productCode: 'DESK',
    active: true,
    validUntil: standing.validUntil,
    reason: null,
    message: standing.message,
    checkedAt: new Date(),
  });
  await signing.prepare(vendorId, standing.keyCode);
  const sample = await signing.signLease(standing, seat());
  const jwks = createLocalJWKSet(await signing.jwksFor(vendorId));

  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  const payload = Buffer.from(sample.split('.').slice(0, 2).join('.'));
  const ceiling = await rate(async () => crypto.sign(null, payload, privateKey));
  const lease = await rate(() => signing.signLease(standing, seat()));
  const checks = await rate(() => signing.signCheck(vendorId, check()));
  const verify = await rate(() => jwtVerify(sample, jwks));

  return {
    name: 'sessions: signing leases and checks (one core) vs node:crypto Ed25519',
    metrics: {
      'lease token signatures/s': round(lease),
      'lease vs ceiling': `${Math.round((lease / ceiling) * 100)}%`,
      'check signatures/s': round(checks),
      'check vs ceiling': `${Math.round((checks / ceiling) * 100)}%`,
      'lease verifications/s (jose, local JWKS)': round(verify),
      'lease token bytes': sample.length,
    },
    ceiling: { 'node:crypto Ed25519 signs/s': round(ceiling) },
  };
}

module.exports = { name: 'sessions: signing', timeoutSeconds: 120, run };
