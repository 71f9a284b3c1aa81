import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface KnownKey {
  keyId: string;
  vendorId: string;
  code: string;
}

export interface KnownProduct {
  productId: string;
  vendorId: string;
  code: string;
  trialDays: number;
}

/**
 * What the coupons service knows of the keys service's world, kept from its events:
 * vendors (their prefixes), products, distributors and live keys. Reads are by vendor.
 */
@Injectable()
export class ReadModelRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  async prefixOf(vendorId: string, manager?: EntityManager): Promise<string | undefined> {
    const rows = (await this.m(manager).query('SELECT prefix FROM known_vendors WHERE vendor_id = $1', [vendorId])) as {
      prefix: string;
    }[];
    return rows[0]?.prefix;
  }

  async productsByCode(vendorId: string, codes: readonly string[], manager?: EntityManager): Promise<KnownProduct[]> {
    return (await this.m(manager).query(
      `SELECT product_id AS "productId", vendor_id AS "vendorId", code, trial_days AS "trialDays"
         FROM known_products WHERE vendor_id = $1 AND code = ANY($2)`,
      [vendorId, codes],
    )) as KnownProduct[];
  }

  async distributorExists(vendorId: string, distributorId: string, manager?: EntityManager): Promise<boolean> {
    const rows = (await this.m(manager).query(
      'SELECT 1 FROM known_distributors WHERE vendor_id = $1 AND distributor_id = $2',
      [vendorId, distributorId],
    )) as unknown[];
    return rows.length > 0;
  }

  /** A live (not deleted) key by its canonical code, of any vendor. */
  async liveKeyByCode(code: string, manager?: EntityManager): Promise<KnownKey | undefined> {
    const rows = (await this.m(manager).query(
      `SELECT key_id AS "keyId", vendor_id AS "vendorId", code FROM known_keys WHERE code = $1 AND deleted_at IS NULL`,
      [code],
    )) as KnownKey[];
    return rows[0];
  }

  async keyById(keyId: string, manager?: EntityManager): Promise<KnownKey | undefined> {
    const rows = (await this.m(manager).query(
      `SELECT key_id AS "keyId", vendor_id AS "vendorId", code FROM known_keys WHERE key_id = $1`,
      [keyId],
    )) as KnownKey[];
    return rows[0];
  }

  async upsertVendor(manager: EntityManager, vendorId: string, prefix: string): Promise<void> {
    await manager.query(
      `INSERT INTO known_vendors (vendor_id, prefix) VALUES ($1, $2) ON CONFLICT (vendor_id) DO UPDATE SET prefix = EXCLUDED.prefix`,
      [vendorId, prefix],
    );
  }

  async upsertProduct(manager: EntityManager, p: KnownProduct): Promise<void> {
    await manager.query(
      `INSERT INTO known_products (product_id, vendor_id, code, trial_days) VALUES ($1, $2, $3, $4)
       ON CONFLICT (product_id) DO UPDATE SET code = EXCLUDED.code, trial_days = EXCLUDED.trial_days`,
      [p.productId, p.vendorId, p.code, p.trialDays],
    );
  }

  async upsertDistributor(
    manager: EntityManager,
    vendorId: string,
    distributorId: string,
    name: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO known_distributors (distributor_id, vendor_id, name) VALUES ($1, $2, $3)
       ON CONFLICT (distributor_id) DO UPDATE SET name = EXCLUDED.name`,
      [distributorId, vendorId, name],
    );
  }

  /** A key created or updated; a deleted key stays deleted whatever arrives after. */
  async upsertKey(manager: EntityManager, key: KnownKey): Promise<void> {
    await manager.query(
      `INSERT INTO known_keys (key_id, vendor_id, code) VALUES ($1, $2, $3) ON CONFLICT (key_id) DO UPDATE SET code = EXCLUDED.code`,
      [key.keyId, key.vendorId, key.code],
    );
  }

  async deleteKey(manager: EntityManager, key: KnownKey, at: Date): Promise<void> {
    await manager.query(
      `INSERT INTO known_keys (key_id, vendor_id, code, deleted_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key_id) DO UPDATE SET deleted_at = coalesce(known_keys.deleted_at, EXCLUDED.deleted_at)`,
      [key.keyId, key.vendorId, key.code, at],
    );
  }
}
