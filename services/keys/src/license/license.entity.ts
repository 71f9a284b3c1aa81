import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { LicenseKind, LicenseSourceType } from '@licensing/events';

/** A license on a key as stored. What the API shows (in force or not, why) is LicenseView. */
@Entity('licenses')
export class LicenseRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

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

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  /** The stored status; false once deactivated (an upgrade, a trial superseded by a main license). */
  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ name: 'source_type', type: 'text' })
  sourceType!: LicenseSourceType;

  /** The coupon activation id when the source is COUPON. */
  @Column({ name: 'source_id', type: 'text', nullable: true })
  sourceId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** The fields of a license that grants change and a rollback restores. */
export type LicenseTerms = Pick<LicenseRecord, 'kind' | 'seats' | 'startsAt' | 'expiresAt' | 'active'>;
