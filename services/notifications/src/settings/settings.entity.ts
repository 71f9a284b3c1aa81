import { Column, Entity, PrimaryColumn } from 'typeorm';

export const LANGUAGES = ['EN', 'RU'] as const;
export type Language = (typeof LANGUAGES)[number];

/** A vendor's notification settings; a vendor without a row gets the defaults (English). */
@Entity('vendor_settings')
export class VendorSettings {
  @PrimaryColumn({ name: 'vendor_id', type: 'uuid' })
  vendorId!: string;

  @Column({ type: 'text' })
  language!: Language;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
