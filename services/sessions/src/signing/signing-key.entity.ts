import { Column, Entity, PrimaryColumn } from 'typeorm';

/** ACTIVE signs; PUBLISHED no longer signs but verifies (in the JWKS); RETIRED is neither. */
export type SigningKeyStatus = 'ACTIVE' | 'PUBLISHED' | 'RETIRED';

/** A vendor's Ed25519 signing key; at most one ACTIVE per vendor (a unique index). */
@Entity('signing_keys')
export class SigningKeyRecord {
  /** The JWS `kid`: random, unique across vendors. */
  @PrimaryColumn({ type: 'text' })
  kid!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  /** The vendor's key-code prefix, for the JWKS by prefix and the issuer (`iss`). */
  @Column({ name: 'vendor_prefix', type: 'text' })
  vendorPrefix!: string;

  @Column({ type: 'text' })
  status!: SigningKeyStatus;

  /** The public key: the JWK's `x` (32 bytes, base64url). */
  @Column({ name: 'public_x', type: 'text' })
  publicX!: string;

  /** The private key (PKCS#8 DER) sealed with AES-256-GCM under the KEK (key-cipher.ts). */
  @Column({ name: 'sealed_private_key', type: 'text' })
  sealedPrivateKey!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** When it stopped signing (a rotation); null while ACTIVE. */
  @Column({ name: 'rotated_at', type: 'timestamptz', nullable: true })
  rotatedAt!: Date | null;

  /** When it left the JWKS; null until retired. */
  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt!: Date | null;
}
