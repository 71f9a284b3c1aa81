import { Column, Entity, PrimaryColumn } from 'typeorm';

/*
 * The read model: what this service knows of the keys service's world, one row per vendor,
 * product, distributor and key, kept from the keys service's events.
 */

@Entity('known_vendors')
export class KnownVendor {
  @PrimaryColumn({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  /** The vendor's four-character code prefix. */
  @Column({ type: 'char', length: 4 })
  prefix!: string;
}

@Entity('known_products')
export class KnownProduct {
  @PrimaryColumn({ name: 'product_id', type: 'uuid' })
  productId!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  @Column({ type: 'text' })
  code!: string;

  @Column({ name: 'trial_days', type: 'int' })
  trialDays!: number;
}

@Entity('known_distributors')
export class KnownDistributor {
  @PrimaryColumn({ name: 'distributor_id', type: 'uuid' })
  distributorId!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  @Column({ type: 'text' })
  name!: string;
}

@Entity('known_keys')
export class KnownKey {
  @PrimaryColumn({ name: 'key_id', type: 'uuid' })
  keyId!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  /** Canonical form, unique across vendors. */
  @Column({ type: 'text' })
  code!: string;

  /** Set once by key.deleted; a deleted key gives 1003 to activations. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}

export const READ_MODEL_ENTITIES = [KnownVendor, KnownProduct, KnownDistributor, KnownKey];
