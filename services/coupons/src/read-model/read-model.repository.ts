import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { updated } from '@licensing/database';
import { KnownDistributor, KnownKey, KnownProduct, KnownVendor } from './read-model.entity';

/**
 * The read model's rows. Reads go through the entity repositories; the writes are upserts in
 * SQL, because each states exactly which columns an event may change (a deleted key stays
 * deleted whatever arrives after), so redelivered and replayed events converge on the same rows.
 */
@Injectable()
export class ReadModelRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  findVendor(vendorId: string): Promise<KnownVendor | null> {
    return this.m().getRepository(KnownVendor).findOneBy({ vendorId });
  }

  findProductsByCode(vendorId: string, codes: readonly string[]): Promise<KnownProduct[]> {
    return this.m()
      .getRepository(KnownProduct)
      .findBy({ vendorId, code: In([...codes]) });
  }

  findDistributor(vendorId: string, distributorId: string): Promise<KnownDistributor | null> {
    return this.m().getRepository(KnownDistributor).findOneBy({ vendorId, distributorId });
  }

  /** A live (not deleted) key by its canonical code: codes are unique across vendors, so any vendor's. */
  findLiveKeyByCode(code: string, manager?: EntityManager): Promise<KnownKey | null> {
    return this.m(manager).getRepository(KnownKey).findOneBy({ code, deletedAt: IsNull() });
  }

  /** A key by id, deleted or not. */
  findKeyById(vendorId: string, keyId: string, manager?: EntityManager): Promise<KnownKey | null> {
    return this.m(manager).getRepository(KnownKey).findOneBy({ vendorId, keyId });
  }

  async saveVendor(manager: EntityManager, vendor: KnownVendor): Promise<void> {
    await updated(
      manager,
      `INSERT INTO known_vendors (vendor_id, prefix) VALUES ($1, $2)
       ON CONFLICT (vendor_id) DO UPDATE SET prefix = EXCLUDED.prefix`,
      [vendor.vendorId, vendor.prefix],
    );
  }

  async saveProduct(manager: EntityManager, product: KnownProduct): Promise<void> {
    await updated(
      manager,
      `INSERT INTO known_products (product_id, vendor_id, code, trial_days) VALUES ($1, $2, $3, $4)
       ON CONFLICT (product_id) DO UPDATE SET code = EXCLUDED.code, trial_days = EXCLUDED.trial_days`,
      [product.productId, product.vendorId, product.code, product.trialDays],
    );
  }

  async saveDistributor(manager: EntityManager, distributor: KnownDistributor): Promise<void> {
    await updated(
      manager,
      `INSERT INTO known_distributors (distributor_id, vendor_id, name) VALUES ($1, $2, $3)
       ON CONFLICT (distributor_id) DO UPDATE SET name = EXCLUDED.name`,
      [distributor.distributorId, distributor.vendorId, distributor.name],
    );
  }

  /** A key created or updated; a deleted key stays deleted whatever arrives after. */
  async saveKey(manager: EntityManager, key: Omit<KnownKey, 'deletedAt'>): Promise<void> {
    await updated(
      manager,
      `INSERT INTO known_keys (key_id, vendor_id, code) VALUES ($1, $2, $3)
       ON CONFLICT (key_id) DO UPDATE SET code = EXCLUDED.code`,
      [key.keyId, key.vendorId, key.code],
    );
  }

  /** A key deleted at `at`; the first deletion's time is kept. */
  async deleteKey(manager: EntityManager, key: Omit<KnownKey, 'deletedAt'>, at: Date): Promise<void> {
    await updated(
      manager,
      `INSERT INTO known_keys (key_id, vendor_id, code, deleted_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key_id) DO UPDATE SET deleted_at = coalesce(known_keys.deleted_at, EXCLUDED.deleted_at)`,
      [key.keyId, key.vendorId, key.code, at],
    );
  }
}
