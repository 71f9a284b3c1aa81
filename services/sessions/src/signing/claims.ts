import type { JWTPayload } from 'jose';
import type { LicenseModel } from '@licensing/events';

/*
 * What the signed leases and check answers say, as JWT claims. docs/signing.md describes them
 * for SDK authors; a change here is a change of that document (and of every SDK).
 *
 * Both are compact JWS (RFC 7515) signed with the vendor's Ed25519 key, header
 * `{ "alg": "EdDSA", "kid": <key id>, "typ": <one of the two below> }`; the typ keeps a check
 * from passing as a lease and the other way round. Custom times are ISO 8601 strings in UTC
 * with milliseconds, exactly as the GraphQL answers print them; iat and exp are NumericDates.
 */

/** `typ` of a lease token. */
export const LEASE_TYP = 'license-lease+jwt';
/** `typ` of a check signature. */
export const CHECK_TYP = 'license-check+jwt';

/** `iss` of everything a vendor's key signs: the platform's issuer, then the vendor prefix. */
export function issuerOf(platformIssuer: string, vendorPrefix: string): string {
  return `${platformIssuer}/${vendorPrefix}`;
}

/** A seat taken or extended, as a lease token states it. */
export interface LeaseFacts {
  issuer: string;
  sessionId: string;
  keyId: string;
  keyCode: string;
  productId: string;
  productCode: string;
  licenseModel: LicenseModel;
  licenseKind: 'MAIN' | 'TRIAL';
  seats: number;
  /** When the license ends as things stand; null = perpetual. */
  licenseValidUntil: Date | null;
  /** The host's fingerprint; null where it is not stated (see docs/signing.md). */
  hostFingerprint: string | null;
  heartbeatIntervalSeconds: number;
  issuedAt: Date;
  /** The session's expiry: the lease's `exp`. */
  expiresAt: Date;
}

/**
 * The claims of a lease. `exp` is the session's expiry (rounded up to the second): a lease is
 * good exactly as long as the seat holds without another heartbeat, and each heartbeat's
 * answer carries a new one.
 */
export function leaseClaims(f: LeaseFacts): JWTPayload {
  return {
    iss: f.issuer,
    sub: f.sessionId,
    iat: Math.floor(f.issuedAt.getTime() / 1000),
    exp: Math.ceil(f.expiresAt.getTime() / 1000),
    keyId: f.keyId,
    keyCode: f.keyCode,
    productId: f.productId,
    productCode: f.productCode,
    licenseModel: f.licenseModel,
    licenseKind: f.licenseKind,
    seats: f.seats,
    licenseValidUntil: f.licenseValidUntil?.toISOString() ?? null,
    ...(f.hostFingerprint === null ? {} : { hostFingerprint: f.hostFingerprint }),
    heartbeatIntervalSeconds: f.heartbeatIntervalSeconds,
  };
}

/** A license check's answer, as its signature states it. */
export interface CheckFacts {
  issuer: string;
  requestId: string;
  keyCode: string;
  productCode: string;
  active: boolean;
  validUntil: Date | null;
  reason: string | null;
  message: string;
  checkedAt: Date;
}

/**
 * The claims of a check signature: every field of the answer, so an application compares
 * (or simply uses) the signed ones. No `exp`: how long a check is trusted offline is the
 * application's policy; `checkedAt` says when it was answered.
 */
export function checkClaims(f: CheckFacts): JWTPayload {
  return {
    iss: f.issuer,
    sub: f.keyCode,
    jti: f.requestId,
    iat: Math.floor(f.checkedAt.getTime() / 1000),
    requestId: f.requestId,
    keyCode: f.keyCode,
    productCode: f.productCode,
    active: f.active,
    validUntil: f.validUntil?.toISOString() ?? null,
    reason: f.reason,
    message: f.message,
    checkedAt: f.checkedAt.toISOString(),
  };
}
