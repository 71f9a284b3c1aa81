import type { JWK } from 'jose';
import type { SigningKeyRecord } from './signing-key.entity';

/** The JWS algorithm of every signature (Ed25519). */
export const SIGNING_ALGORITHM = 'EdDSA';

/** A public key as a JWKS lists it (RFC 7517, RFC 8037). */
export interface PublicJwk extends JWK {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: typeof SIGNING_ALGORITHM;
  use: 'sig';
}

/** A vendor's JWKS document: the keys that verify its leases and checks. */
export interface Jwks {
  keys: PublicJwk[];
}

export function publicJwk(record: SigningKeyRecord): PublicJwk {
  return { kty: 'OKP', crv: 'Ed25519', x: record.publicX, kid: record.kid, alg: SIGNING_ALGORITHM, use: 'sig' };
}
