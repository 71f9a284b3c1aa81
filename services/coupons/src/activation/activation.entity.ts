import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { ActivationChannel } from '@licensing/events';
import { CouponRecord } from '../coupon/coupon.entity';

/** A coupon activated on a key; the unique (coupon, key) constraint keeps it to once per key. */
@Entity('activations')
export class ActivationRecord {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  @Column({ name: 'coupon_code', type: 'text' })
  couponCode!: string;

  /** The coupon with its batch's terms (the grants); every read of the repository joins them. */
  @ManyToOne(() => CouponRecord, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'coupon_code' })
  coupon!: CouponRecord;

  @Column({ name: 'key_id', type: 'uuid' })
  keyId!: string;

  @Column({ type: 'text' })
  channel!: ActivationChannel;

  @CreateDateColumn({ name: 'activated_at', type: 'timestamptz' })
  activatedAt!: Date;

  @Column({ name: 'deactivated_at', type: 'timestamptz', nullable: true })
  deactivatedAt!: Date | null;
}
