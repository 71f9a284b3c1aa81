import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A vendor's own heartbeat interval for one of its products; others use the service's default. */
@Entity('product_heartbeat_intervals')
export class HeartbeatIntervalRecord {
  @PrimaryColumn({ name: 'product_id', type: 'uuid' })
  productId!: string;

  @Column({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  /** 5 to 3,600. */
  @Column({ type: 'int' })
  seconds!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
