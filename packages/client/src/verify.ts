import { decodeProtectedHeader, importJWK, JWK, jwtVerify, JWTPayload, errors as joseErrors } from 'jose';
import { LicensingError, SdkErrorCode } from './errors';
import type { Transport } from './http';

/** `typ` of a lease token (docs/signing.md). */
export const LEASE_TYP = 'license-lease+jwt';
/** `typ` of a check signature. */
export const CHECK_TYP = 'license-check+jwt';

/** A vendor's JWKS as GET /runtime/v1/jwks/{vendorPrefix} answers it. */
export interface Jwks {
  keys: (JWK & { kid?: string })[];
}

/** What a verified lease token states (claims of docs/signing.md). */
export interface LeaseClaims {
  /** `<platform issuer>/<vendor prefix>`. */
  iss: string;
  /** The session id. */
  sub: string;
  iat: number;
  /** The session's expiry, seconds since the epoch: the lease is good until then. */
  exp: number;
  keyId: string;
  keyCode: string;
  productId: string;
  productCode: string;
  licenseModel: 'HOST_BINDING' | 'CONCURRENT_SESSIONS' | 'CONCURRENT_HOSTS';
  licenseKind: 'MAIN' | 'TRIAL';
  seats: number;
  /** ISO 8601; null = perpetual. */
  licenseValidUntil: string | null;
  hostFingerprint?: string;
  heartbeatIntervalSeconds: number;
}

/** What a verified check signature states: every field of the check's answer. */
export interface CheckClaims {
  iss: string;
  sub: string;
  jti: string;
  iat: number;
  requestId: string;
  keyCode: string;
  productCode: string;
  active: boolean;
  validUntil: string | null;
  reason: string | null;
  message: string;
  checkedAt: string;
}

type Key = Awaited<ReturnType<typeof importJWK>>;

/**
 * The public keys of one vendor, fetched from the runtime endpoint once and kept for the
 * process's life. A token naming a key id the cached set lacks (a rotation) fetches the set
 * once more; a key id still missing after that is refused without another fetch.
 */
export class VendorKeys {
  private jwks?: Promise<Jwks>;
  private readonly imported = new Map<string, Promise<Key>>();
  private readonly refetchedFor = new Set<string>();
  /** How many times the JWKS was fetched. */
  fetches = 0;

  constructor(
    private readonly transport: Transport,
    readonly vendorPrefix: string,
    pinned?: Jwks,
  ) {
    if (pinned) this.jwks = Promise.resolve(pinned);
  }

  /** Verifies a lease token: signature, typ, issuer, expiry. Throws LicensingError. */
  async verifyLease(token: string, now = new Date()): Promise<LeaseClaims> {
    const claims = (await this.verify(token, LEASE_TYP, now, true)) as unknown as LeaseClaims;
    if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') {
      throw invalid('The lease token lacks its session or expiry');
    }
    return claims;
  }

  /** Verifies a check signature: signature, typ, issuer. Throws LicensingError. */
  async verifyCheck(signature: string): Promise<CheckClaims> {
    return (await this.verify(signature, CHECK_TYP, new Date(), false)) as unknown as CheckClaims;
  }

  private async verify(token: string, typ: string, now: Date, requireExp: boolean): Promise<JWTPayload> {
    let kid: unknown;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== 'EdDSA') throw new Error(`alg ${String(header.alg)}`);
      kid = header.kid;
    } catch (error) {
      throw invalid(`Not a signed token of the platform (${(error as Error).message})`, error);
    }
    if (typeof kid !== 'string' || !kid) throw invalid('The token names no key (kid)');
    const key = await this.key(kid);
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['EdDSA'],
        typ,
        currentDate: now,
        ...(requireExp ? { requiredClaims: ['exp', 'sub', 'iss'] } : { requiredClaims: ['iss'] }),
      });
      if (typeof payload.iss !== 'string' || !payload.iss.endsWith(`/${this.vendorPrefix}`)) {
        throw invalid(`The token was issued for another vendor (${String(payload.iss)})`);
      }
      return payload;
    } catch (error) {
      if (error instanceof LicensingError) throw error;
      if (error instanceof joseErrors.JWTExpired) {
        throw new LicensingError(SdkErrorCode.LEASE_EXPIRED, 'The lease has expired', { cause: error });
      }
      throw invalid(`The token does not verify: ${(error as Error).message}`, error);
    }
  }

  private async key(kid: string): Promise<Key> {
    let jwk = (await this.load()).keys.find((k) => k.kid === kid);
    if (!jwk && !this.refetchedFor.has(kid)) {
      this.refetchedFor.add(kid);
      this.jwks = undefined;
      jwk = (await this.load()).keys.find((k) => k.kid === kid);
    }
    if (!jwk) throw invalid(`The token is signed by a key vendor ${this.vendorPrefix} does not publish (kid ${kid})`);
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') throw invalid(`Key ${kid} is not an Ed25519 key`);
    let imported = this.imported.get(kid);
    if (!imported) {
      imported = importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, 'EdDSA') as Promise<Key>;
      this.imported.set(kid, imported);
    }
    return imported;
  }

  private load(): Promise<Jwks> {
    if (!this.jwks) {
      this.fetches++;
      const loading = this.transport
        .get<Jwks>(`runtime/v1/jwks/${encodeURIComponent(this.vendorPrefix)}`)
        .then((jwks) => {
          if (!jwks || !Array.isArray(jwks.keys)) {
            throw new LicensingError(SdkErrorCode.BAD_RESPONSE, 'The JWKS answer has no keys');
          }
          return jwks;
        });
      // A failed fetch is not kept: the next verification tries again.
      loading.catch(() => {
        if (this.jwks === loading) this.jwks = undefined;
      });
      this.jwks = loading;
    }
    return this.jwks;
  }
}

function invalid(message: string, cause?: unknown): LicensingError {
  return new LicensingError(SdkErrorCode.INVALID_SIGNATURE, message, { cause });
}
