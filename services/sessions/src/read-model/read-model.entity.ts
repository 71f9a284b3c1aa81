import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { LicenseKind, LicenseModel } from '@licensing/events';
import { KnownKey, KnownProductColumns, KnownVendor } from '@licensing/keys-catalogue';

/*
 * The read model: what this service knows of the keys service's world, kept from its events.
 * Vendors and keys are the rows every read model of the keys service keeps alike
 * (`@licensing/keys-catalogue`); products and licenses are this service's own.
 */

export { KnownKey, KnownVendor };

@Entity('known_products')
export class KnownProduct extends KnownProductColumns {
  @Column({ name: 'license_model', type: 'text' })
  licenseModel!: LicenseModel;

  /** A product of the same vendor whose license must be in force for this one. */
  @Column({ name: 'requires_product_code', type: 'text', nullable: true })
  requiresProductCode!: string | null;

  /** The time of the event this row was last taken from. */
  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity('known_licenses')
export class KnownLicense {
  @PrimaryColumn({ name: 'license_id', type: 'uuid' })
  licenseId!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  @Column({ name: 'key_id', type: 'uuid' })
  keyId!: string;

  @Column({ name: 'product_id', type: 'uuid' })
  productId!: string;

  @Column({ type: 'text' })
  kind!: LicenseKind;

  @Column({ type: 'int' })
  seats!: number;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt!: Date;

  /** null = perpetual. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  /** The stored status (false when deactivated: an upgrade, a superseded trial). */
  @Column({ type: 'boolean' })
  active!: boolean;

  /** Set by license.revoked: the license is gone from the key; the row stays as a tombstone. */
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /** The time of the event this row was last taken from. */
  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export const READ_MODEL_ENTITIES = [KnownVendor, KnownProduct, KnownKey, KnownLicense];
