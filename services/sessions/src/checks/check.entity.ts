import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { StandingReason } from '../read-model/license-standing';

/** A license check as it was answered, under the request id support looks it up by. */
@Entity('license_checks')
export class LicenseCheckRecord {
  /** A UUIDv7: unique, and ordered by time. */
  @PrimaryColumn({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  @Column({ name: 'key_id', type: 'uuid' })
  keyId!: string;

  @Column({ name: 'key_code', type: 'text' })
  keyCode!: string;

  @Column({ name: 'product_id', type: 'uuid' })
  productId!: string;

  @Column({ name: 'product_code', type: 'text' })
  productCode!: string;

  @Column({ name: 'checked_at', type: 'timestamptz' })
  checkedAt!: Date;

  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ name: 'valid_until', type: 'timestamptz', nullable: true })
  validUntil!: Date | null;

  @Column({ type: 'text', nullable: true })
  reason!: StandingReason | null;

  @Column({ type: 'text' })
  message!: string;
}
