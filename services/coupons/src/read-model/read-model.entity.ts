import { Column, Entity, PrimaryColumn } from 'typeorm';
import { KnownKey, KnownProductColumns, KnownVendor } from '@licensing/keys-catalogue';

/*
 * The read model: what this service knows of the keys service's world, one row per vendor,
 * product, distributor and key, kept from the keys service's events. Vendors and keys are the
 * rows every read model of the keys service keeps alike (`@licensing/keys-catalogue`).
 */

export { KnownKey, KnownVendor };

@Entity('known_products')
export class KnownProduct extends KnownProductColumns {
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

export const READ_MODEL_ENTITIES = [KnownVendor, KnownProduct, KnownDistributor, KnownKey];
