import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { updated } from '@licensing/database';
import { KnownKey, KnownProduct, KnownStaff, KnownVendor } from './read-model.entity';

/**
 * The read model's rows. Writes are upserts stating which columns an event may change, so
 * redelivered and replayed events converge on the same rows; a deleted key stays deleted.
 */
@Injectable()
export class ReadModelRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  findVendor(vendorId: string, manager?: EntityManager): Promise<KnownVendor | null> {
    return this.m(manager).getRepository(KnownVendor).findOneBy({ vendorId });
  }

  findProductsByCode(vendorId: string, codes: readonly string[], manager?: EntityManager): Promise<KnownProduct[]> {
    return this.m(manager)
      .getRepository(KnownProduct)
      .findBy({ vendorId, code: In([...codes]) });
  }

  /** A live key of the vendor by id. */
  findLiveKeyById(vendorId: string, keyId: string, manager?: EntityManager): Promise<KnownKey | null> {
    return this.m(manager).getRepository(KnownKey).findOneBy({ vendorId, keyId, deletedAt: IsNull() });
  }

  /** The vendor's keys by id, deleted or not. */
  findKeysById(vendorId: string, keyIds: readonly string[]): Promise<KnownKey[]> {
    return this.m()
      .getRepository(KnownKey)
      .findBy({ vendorId, keyId: In([...keyIds]) });
  }

  /** A key of the vendor by canonical code, deleted or not. */
  findByCode(vendorId: string, code: string): Promise<KnownKey | null> {
    return this.m().getRepository(KnownKey).findOneBy({ vendorId, code });
  }

  /** The vendor's owners, by e-mail. */
  findOwners(vendorId: string, manager?: EntityManager): Promise<KnownStaff[]> {
    return this.m(manager)
      .getRepository(KnownStaff)
      .find({ where: { vendorId, role: 'OWNER' }, order: { email: 'ASC' } });
  }

  /** A staff member as staff.created states it; a redelivery converges on the same row. */
  async saveStaff(manager: EntityManager, staff: KnownStaff): Promise<void> {
    await updated(
      manager,
      `INSERT INTO known_staff (staff_id, vendor_id, email, name, role) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (staff_id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name, role = EXCLUDED.role`,
      [staff.staffId, staff.vendorId, staff.email, staff.name, staff.role],
    );
  }

  async saveVendor(manager: EntityManager, vendor: KnownVendor): Promise<void> {
    await updated(
      manager,
      `INSERT INTO known_vendors (vendor_id, prefix, name) VALUES ($1, $2, $3)
       ON CONFLICT (vendor_id) DO UPDATE SET prefix = EXCLUDED.prefix, name = EXCLUDED.name`,
      [vendor.vendorId, vendor.prefix, vendor.name],
    );
  }

  async saveProduct(manager: EntityManager, product: KnownProduct): Promise<void> {
    await updated(
      manager,
      `INSERT INTO known_products (product_id, vendor_id, code, name) VALUES ($1, $2, $3, $4)
       ON CONFLICT (product_id) DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name`,
      [product.productId, product.vendorId, product.code, product.name],
    );
  }

  /** A key created or updated: the client fields follow; the created event id is kept from key.created. */
  async saveKey(manager: EntityManager, key: Omit<KnownKey, 'deletedAt'>): Promise<void> {
    await updated(
      manager,
      `INSERT INTO known_keys (key_id, vendor_id, code, company, contact_name, email, created_event_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (key_id) DO UPDATE SET code = EXCLUDED.code, company = EXCLUDED.company,
         contact_name = EXCLUDED.contact_name, email = EXCLUDED.email,
         created_event_id = coalesce(known_keys.created_event_id, EXCLUDED.created_event_id)`,
      [key.keyId, key.vendorId, key.code, key.company, key.contactName, key.email, key.createdEventId],
    );
  }

  /** A key deleted at `at`; the first deletion's time is kept. */
  async deleteKey(
    manager: EntityManager,
    key: { keyId: string; vendorId: string; code: string },
    at: Date,
  ): Promise<void> {
    await updated(
      manager,
      `INSERT INTO known_keys (key_id, vendor_id, code, company, deleted_at) VALUES ($1, $2, $3, '', $4)
       ON CONFLICT (key_id) DO UPDATE SET deleted_at = coalesce(known_keys.deleted_at, EXCLUDED.deleted_at)`,
      [key.keyId, key.vendorId, key.code, at],
    );
  }
}
