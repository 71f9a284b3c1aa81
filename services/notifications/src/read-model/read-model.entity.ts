import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { StaffRoleName } from '@licensing/events';

/*
 * What this service knows of the keys service's world, kept from its events: the vendor's
 * name (the sender name of its e-mails), product names, each key's client with the e-mail
 * address letters go to, and the vendor's staff (its owners get the vendor's operational e-mails).
 */

@Entity('known_vendors')
export class KnownVendor {
  @PrimaryColumn({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  @Column({ type: 'char', length: 4 })
  prefix!: string;

  @Column({ type: 'text' })
  name!: string;
}

@Entity('known_products')
export class KnownProduct {
  @PrimaryColumn({ name: 'product_id', type: 'uuid' })
  productId!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  @Column({ type: 'text' })
  code!: string;

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

  @Column({ type: 'text' })
  company!: string;

  @Column({ name: 'contact_name', type: 'text', nullable: true })
  contactName!: string | null;

  /** The client's e-mail: where the key's letters go; null = no letters. */
  @Column({ type: 'text', nullable: true })
  email!: string | null;

  /** The id of the key.created event: the cause of a key letter the vendor asks for. */
  @Column({ name: 'created_event_id', type: 'uuid', nullable: true })
  createdEventId!: string | null;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}

/** A vendor's staff member as staff.created states it. */
@Entity('known_staff')
export class KnownStaff {
  @PrimaryColumn({ name: 'staff_id', type: 'uuid' })
  staffId!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  /** Lower case. */
  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'text' })
  name!: string;

  /** OWNER or MANAGER; owners get the vendor's operational e-mails. */
  @Column({ type: 'text' })
  role!: StaffRoleName;
}

export const READ_MODEL_ENTITIES = [KnownVendor, KnownProduct, KnownKey, KnownStaff];
