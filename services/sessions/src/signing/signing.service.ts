import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { BadInputError, DomainError, ErrorCode, NotFoundError } from '@licensing/graphql';
import { InjectSessionsConfig, SessionsConfig, signingKeyEncryptionKey } from '../config';
import type { LicenseStanding } from '../read-model/license-standing';
import { CHECK_TYP, CheckFacts, checkClaims, issuerOf, LEASE_TYP, leaseClaims } from './claims';
import { CompactJwsSigner } from './compact-jws';
import { Jwks, publicJwk } from './jwks';
import { KeyCipher } from './key-cipher';
import { SigningKeyRecord } from './signing-key.entity';
import { NewSigningKey, SigningKeysRepository } from './signing-keys.repository';
import { SigningKeySet, signingKeyView } from './signing.types';

/**
 * How long an instance signs with the active key it read before reading it again: a rotation
 * on another instance is followed within this time (both keys verify meanwhile).
 */
export const ACTIVE_KEY_TTL_MS = 30_000;
/** How long the JWKS of a vendor is served from memory. */
const JWKS_TTL_MS = 5_000;
/**
 * A rotated key can be retired this long after it stopped signing: every lease it signed has
 * expired by then (leases live as long as a session without a heartbeat) and every instance
 * has moved to the new key.
 */
export const RETIRE_AFTER_MS = 24 * 3_600_000;

/** The key an instance signs with. */
type Signer = CompactJwsSigner;

/** The seat a lease is signed for. */
export interface SeatToSign {
  sessionId: string;
  expiresAt: Date;
  heartbeatIntervalSeconds: number;
  /** The host; null where the caller does not know it (a heartbeat of a session without a binding). */
  hostFingerprint: string | null;
}
/** A check answer to sign, but the issuer. */
export type CheckToSign = Omit<CheckFacts, 'issuer'>;

/**
 * Signed leases and check answers: one Ed25519 key per vendor, created on first need (a
 * unique index picks one winner among instances), its private part sealed in Postgres under
 * SIGNING_KEY_ENCRYPTION_KEY and opened once per process into a signer that keeps it private.
 * Signing reads nothing but memory once the vendor's key is known, and is synchronous
 * (compact-jws.ts). Rotation makes a new key
 * ACTIVE and keeps the old one PUBLISHED (in the JWKS) until it is retired.
 */
@Injectable()
export class SigningService {
  private readonly logger = new Logger(SigningService.name);
  private readonly cipher: KeyCipher;
  private readonly platformIssuer: string;
  /** Opened private keys by kid; a key never changes, so they are kept for the process's life. */
  private readonly opened = new Map<string, Signer>();
  /** The vendor's active key, until it is read again. */
  private readonly active = new Map<string, { signer: Signer; until: number }>();
  /** Reads of the active key under way, shared by the calls that wait for them. */
  private readonly loading = new Map<string, Promise<Signer>>();
  private readonly jwksCache = new Map<string, { jwks: Jwks; until: number }>();

  constructor(
    private readonly keys: SigningKeysRepository,
    @InjectSessionsConfig() config: SessionsConfig,
  ) {
    this.cipher = new KeyCipher(signingKeyEncryptionKey(config));
    this.platformIssuer = config.SIGNING_ISSUER;
  }

  /** `iss` of a vendor's signatures. */
  issuerFor(vendorPrefix: string): string {
    return issuerOf(this.platformIssuer, vendorPrefix);
  }

  /**
   * Makes sure the vendor's signing key is at hand (read, or made, and opened), so that the
   * signature after a seat decision cannot fail for want of it. Free once it is.
   */
  async prepare(vendorId: string, keyCode: string): Promise<void> {
    await this.signerFor(vendorId, keyCode.slice(0, 4));
  }

  /** A lease token (compact JWS, claims.ts) for a seat held under `standing`, with the vendor's active key. */
  async signLease(standing: LicenseStanding, seat: SeatToSign): Promise<string> {
    const vendorPrefix = standing.keyCode.slice(0, 4);
    const signer = await this.signerFor(standing.vendorId, vendorPrefix);
    const claims = leaseClaims({
      issuer: this.issuerFor(vendorPrefix),
      sessionId: seat.sessionId,
      keyId: standing.keyId,
      keyCode: standing.keyCode,
      productId: standing.productId,
      productCode: standing.productCode,
      licenseModel: standing.licenseModel,
      licenseKind: standing.kind ?? 'MAIN',
      seats: standing.seats,
      licenseValidUntil: standing.validUntil,
      hostFingerprint: seat.hostFingerprint,
      heartbeatIntervalSeconds: seat.heartbeatIntervalSeconds,
      issuedAt: new Date(),
      expiresAt: seat.expiresAt,
    });
    return signer.sign(claims, LEASE_TYP);
  }

  /** A check answer's signature (compact JWS, claims.ts) with the vendor's active key. */
  async signCheck(vendorId: string, check: CheckToSign): Promise<string> {
    const vendorPrefix = check.keyCode.slice(0, 4);
    const signer = await this.signerFor(vendorId, vendorPrefix);
    return signer.sign(checkClaims({ ...check, issuer: this.issuerFor(vendorPrefix) }), CHECK_TYP);
  }

  /**
   * The JWKS of a vendor named by its id or its key-code prefix: its ACTIVE and PUBLISHED
   * keys. Empty while the vendor has signed nothing (its key is made on first need); an
   * application that meets an unknown kid fetches it again. Served from memory for a few seconds.
   */
  async jwksFor(vendor: string): Promise<Jwks> {
    const byId = isUUID(vendor);
    const name = byId ? vendor.toLowerCase() : vendor.trim().toUpperCase();
    if (!byId && !/^[0-9A-Z]{4}$/.test(name))
      throw new BadInputError('vendorPrefix', 'vendorPrefix is four letters or digits');
    const cacheKey = byId ? `id:${name}` : `prefix:${name}`;
    const cached = this.jwksCache.get(cacheKey);
    if (cached && cached.until > Date.now()) return cached.jwks;
    const records = byId ? await this.keys.findPublished(name) : await this.keys.findPublishedByPrefix(name);
    const jwks = { keys: records.map(publicJwk) };
    // An empty set is not kept: another instance may make the vendor's first key any moment.
    if (jwks.keys.length > 0) this.jwksCache.set(cacheKey, { jwks, until: Date.now() + JWKS_TTL_MS });
    return jwks;
  }

  /** The vendor's verifying keys with their status, for the cabinet. */
  async keySet(vendorId: string): Promise<SigningKeySet> {
    const records = await this.keys.findPublished(vendorId);
    return { issuer: records[0] ? this.issuerFor(records[0].vendorPrefix) : null, keys: records.map(signingKeyView) };
  }

  /**
   * Makes a new key ACTIVE for the vendor; the one it replaces stays PUBLISHED. This instance
   * signs with the new key at once, others within ACTIVE_KEY_TTL_MS.
   */
  async rotate(vendorId: string, vendorPrefix: string): Promise<SigningKeyRecord> {
    const key = this.newKey(vendorId, vendorPrefix);
    await this.keys.rotate(vendorId, key);
    this.forget(vendorId);
    const stored = await this.keys.findByKid(vendorId, key.kid);
    if (!stored) throw new Error(`The rotated signing key ${key.kid} was not stored`);
    this.logger.log(`Signing key of vendor ${vendorId} rotated; ${key.kid} is active`);
    return stored;
  }

  /**
   * Takes a PUBLISHED key out of the JWKS: what it signed no longer verifies. Refused for the
   * ACTIVE key and for one that stopped signing less than RETIRE_AFTER_MS ago.
   */
  async retire(vendorId: string, kid: string, now = new Date()): Promise<SigningKeyRecord> {
    const existing = await this.keys.findByKid(vendorId, kid);
    if (!existing) throw new NotFoundError('Signing key', 'kid');
    if (existing.status === 'RETIRED') return existing;
    const retired = await this.keys.retire(vendorId, kid, new Date(now.getTime() - RETIRE_AFTER_MS));
    if (!retired) {
      throw new DomainError(
        ErrorCode.BAD_USER_INPUT,
        existing.status === 'ACTIVE'
          ? 'The active signing key cannot be retired; rotate first'
          : `A signing key can be retired ${RETIRE_AFTER_MS / 3_600_000} hours after it stopped signing`,
        'kid',
      );
    }
    this.forget(vendorId);
    return retired;
  }

  /**
   * The vendor's active key: from memory, else read (or made) once for all waiting calls. Once
   * the remembered key is older than ACTIVE_KEY_TTL_MS it is still used while one read in the
   * background looks for a rotation, so signing never waits for Postgres after the first time.
   */
  private signerFor(vendorId: string, vendorPrefix: string): Promise<Signer> | Signer {
    const known = this.active.get(vendorId);
    if (known && known.until > Date.now()) return known.signer;
    let load = this.loading.get(vendorId);
    if (!load) {
      load = this.loadSigner(vendorId, vendorPrefix).finally(() => this.loading.delete(vendorId));
      this.loading.set(vendorId, load);
      if (known) {
        load.catch((error: unknown) => {
          // Keep signing with the key at hand; look again in a few seconds.
          this.active.set(vendorId, { signer: known.signer, until: Date.now() + 5_000 });
          this.logger.warn(`Could not read the signing key of vendor ${vendorId} again: ${(error as Error).message}`);
        });
      }
    }
    return known ? known.signer : load;
  }

  private async loadSigner(vendorId: string, vendorPrefix: string): Promise<Signer> {
    let record = await this.keys.findActive(vendorId);
    if (!record) {
      const created = this.newKey(vendorId, vendorPrefix);
      if (await this.keys.insertActive(vendorId, created)) {
        this.logger.log(`Signing key ${created.kid} created for vendor ${vendorId}`);
        this.jwksCache.clear();
      }
      // The one stored: this instance's, or another's that was first.
      record = await this.keys.findActive(vendorId);
      if (!record) throw new Error(`Vendor ${vendorId} has no active signing key after creating one`);
    }
    const signer = this.open(record);
    this.active.set(vendorId, { signer, until: Date.now() + ACTIVE_KEY_TTL_MS });
    return signer;
  }

  /**
   * The signer of a record's private key, opened once per kid. The key object lives inside
   * the signer only: nothing hands it out or exports it.
   */
  private open(record: SigningKeyRecord): Signer {
    let signer = this.opened.get(record.kid);
    if (!signer) {
      const der = this.cipher.open(record.sealedPrivateKey, sealContext(record.vendorId, record.kid));
      try {
        signer = new CompactJwsSigner(record.kid, createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
      } finally {
        der.fill(0);
      }
      this.opened.set(record.kid, signer);
    }
    return signer;
  }

  private newKey(vendorId: string, vendorPrefix: string): NewSigningKey {
    const kid = `${vendorPrefix}-${randomBytes(12).toString('base64url')}`;
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const x = publicKey.export({ format: 'jwk' }).x;
    if (!x) throw new Error('An Ed25519 public key without x');
    const sealedPrivateKey = this.cipher.seal(der, sealContext(vendorId, kid));
    der.fill(0);
    // Checked before it is stored: the sealed key opens into the same key pair.
    const opened = this.cipher.open(sealedPrivateKey, sealContext(vendorId, kid));
    if (createPrivateKey({ key: opened, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' }).x !== x) {
      throw new Error('A sealed signing key did not open into its key pair');
    }
    opened.fill(0);
    return { kid, vendorPrefix, publicX: x, sealedPrivateKey };
  }

  private forget(vendorId: string): void {
    this.active.delete(vendorId);
    this.jwksCache.clear();
  }
}

/** What a sealed private key is bound to: its vendor and kid. */
export function sealContext(vendorId: string, kid: string): string {
  return `signing-key:${vendorId}:${kid}`;
}
