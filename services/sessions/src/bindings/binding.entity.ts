import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A host holding a seat of a HOST_BINDING license until a cabinet resets it. */
@Entity('host_bindings')
export class BindingRecord {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** Insertion order, for paging. */
  @Column({ type: 'bigint', insert: false, update: false })
  seq!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  @Column({ name: 'key_id', type: 'uuid' })
  keyId!: string;

  @Column({ name: 'product_id', type: 'uuid' })
  productId!: string;

  @Column({ name: 'host_fingerprint', type: 'text' })
  hostFingerprint!: string;

  @Column({ name: 'host_name', type: 'text', nullable: true })
  hostName!: string | null;

  @Column({ name: 'host_os', type: 'text', nullable: true })
  hostOs!: string | null;

  @Column({ name: 'host_ip', type: 'text', nullable: true })
  hostIp!: string | null;

  @Column({ name: 'host_platform_version', type: 'text', nullable: true })
  hostPlatformVersion!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;

  /** Kept from heartbeats in batches, so it may lag by the flush interval. */
  @Column({ name: 'last_seen_at', type: 'timestamptz', insert: false })
  lastSeenAt!: Date;
}
