import { Column, Entity, PrimaryColumn } from 'typeorm';

/*
 * The rows every read model of the keys service keeps alike: vendors, keys and a product's
 * identity, as their events
 * state them. Each service owns its own tables (`known_vendors`, `known_keys`, created by its
 * own migrations); these classes only describe them, so the services share no database.
 */

@Entity('known_vendors')
export class KnownVendor {
  @PrimaryColumn({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  /** The vendor's four-character code prefix; every key code starts with it. */
  @Column({ type: 'char', length: 4 })
  prefix!: string;
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

  /** Set once by key.deleted: nothing of a deleted key is in force (1003 to coupon activations). */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}

/**
 * A product's identity columns, for each service's own `known_products` entity to extend with
 * what it keeps of the product (its columns differ: trial days, licensing model…).
 */
export abstract class KnownProductColumns {
  @PrimaryColumn({ name: 'product_id', type: 'uuid' })
  productId!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  /** Unique within the vendor, as the application names it. */
  @Column({ type: 'text' })
  code!: string;
}

/** A key as key.created, key.updated and key.deleted state it. */
export type KnownKeyState = Omit<KnownKey, 'deletedAt'>;
