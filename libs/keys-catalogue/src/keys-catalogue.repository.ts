import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { updated } from '@licensing/database';
import { KnownKey, KnownKeyState, KnownVendor } from './keys-catalogue.entity';

/**
 * The vendor and key rows of a read model, for a service's own read-model repository to extend.
 * Reads go through the entity repositories; the writes are upserts in SQL, because each states
 * exactly which columns an event may change (a deleted key stays deleted whatever arrives after),
 * so redelivered and replayed events converge on the same rows.
 */
export abstract class KeysCatalogueRepository {
  constructor(@InjectDataSource() protected readonly dataSource: DataSource) {}

  protected m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  findVendor(vendorId: string, manager?: EntityManager): Promise<KnownVendor | null> {
    return this.m(manager).getRepository(KnownVendor).findOneBy({ vendorId });
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

  /** A key created or updated; a deleted key stays deleted whatever arrives after. */
  async saveKey(manager: EntityManager, key: KnownKeyState): Promise<void> {
    await updated(
      manager,
      `INSERT INTO known_keys (key_id, vendor_id, code) VALUES ($1, $2, $3)
       ON CONFLICT (key_id) DO UPDATE SET code = EXCLUDED.code`,
      [key.keyId, key.vendorId, key.code],
    );
  }

  /** A key deleted at `at`; the first deletion's time is kept. */
  async deleteKey(manager: EntityManager, key: KnownKeyState, at: Date): Promise<void> {
    await updated(
      manager,
      `INSERT INTO known_keys (key_id, vendor_id, code, deleted_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key_id) DO UPDATE SET deleted_at = coalesce(known_keys.deleted_at, EXCLUDED.deleted_at)`,
      [key.keyId, key.vendorId, key.code, at],
    );
  }
}
