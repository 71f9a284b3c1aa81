import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull } from 'typeorm';
import { updated } from '@licensing/database';
import { KeysCatalogueRepository } from '@licensing/keys-catalogue';
import { KnownDistributor, KnownKey, KnownProduct } from './read-model.entity';

/**
 * The read model's rows: vendors and keys as every read model keeps them (the base class), and
 * this service's products and distributors. Reads go through the entity repositories; the writes
 * are upserts in SQL, because each states exactly which columns an event may change, so
 * redelivered and replayed events converge on the same rows.
 */
@Injectable()
export class ReadModelRepository extends KeysCatalogueRepository {
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
}
