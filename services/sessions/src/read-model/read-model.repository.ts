import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { updated } from '@licensing/database';
import { KeysCatalogueRepository } from '@licensing/keys-catalogue';
import { KnownKey, KnownLicense, KnownProduct } from './read-model.entity';

/**
 * The read model's rows: vendors and keys as every read model keeps them (the base class), and
 * this service's products and licenses. Reads go through the entity repositories; writes are
 * upserts in SQL that state which columns an event may change and refuse to go back in time (an
 * event older than the row changes nothing; a deleted key and a revoked license stay so), so
 * redelivered and replayed events converge on the same rows.
 */
@Injectable()
export class ReadModelRepository extends KeysCatalogueRepository {
  /** A key by its canonical code, deleted or not: codes are unique across vendors. */
  findKeyByCode(code: string, manager?: EntityManager): Promise<KnownKey | null> {
    return this.m(manager).getRepository(KnownKey).findOneBy({ code });
  }

  /** The key's licenses but revoked ones. */
  findLicensesOfKey(vendorId: string, keyId: string, manager?: EntityManager): Promise<KnownLicense[]> {
    return this.m(manager)
      .getRepository(KnownLicense)
      .find({ where: { vendorId, keyId, revokedAt: IsNull() }, order: { startsAt: 'ASC', licenseId: 'ASC' } });
  }

  findProduct(vendorId: string, productId: string, manager?: EntityManager): Promise<KnownProduct | null> {
    return this.m(manager).getRepository(KnownProduct).findOneBy({ vendorId, productId });
  }

  findProductByCode(vendorId: string, code: string): Promise<KnownProduct | null> {
    return this.m().getRepository(KnownProduct).findOneBy({ vendorId, code });
  }

  findProducts(vendorId: string, manager?: EntityManager): Promise<KnownProduct[]> {
    return this.m(manager)
      .getRepository(KnownProduct)
      .find({ where: { vendorId }, order: { code: 'ASC' } });
  }

  async saveProduct(manager: EntityManager, product: KnownProduct): Promise<void> {
    await updated(
      manager,
      `INSERT INTO known_products (product_id, vendor_id, code, license_model, requires_product_code, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (product_id) DO UPDATE
          SET code = EXCLUDED.code, license_model = EXCLUDED.license_model,
              requires_product_code = EXCLUDED.requires_product_code, updated_at = EXCLUDED.updated_at
        WHERE known_products.updated_at <= EXCLUDED.updated_at`,
      [
        product.productId,
        product.vendorId,
        product.code,
        product.licenseModel,
        product.requiresProductCode,
        product.updatedAt,
      ],
    );
  }

  /** A license's full state as of `license.updatedAt`; a revoked license stays revoked. */
  async saveLicense(manager: EntityManager, license: Omit<KnownLicense, 'revokedAt'>): Promise<void> {
    await updated(
      manager,
      `INSERT INTO known_licenses
         (license_id, vendor_id, key_id, product_id, kind, seats, starts_at, expires_at, active, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (license_id) DO UPDATE
          SET kind = EXCLUDED.kind, seats = EXCLUDED.seats, starts_at = EXCLUDED.starts_at,
              expires_at = EXCLUDED.expires_at, active = EXCLUDED.active, updated_at = EXCLUDED.updated_at
        WHERE known_licenses.revoked_at IS NULL AND known_licenses.updated_at <= EXCLUDED.updated_at`,
      licenseParams(license),
    );
  }

  /** A license removed from its key at `license.updatedAt`. */
  async revokeLicense(manager: EntityManager, license: Omit<KnownLicense, 'revokedAt'>): Promise<void> {
    await updated(
      manager,
      `INSERT INTO known_licenses
         (license_id, vendor_id, key_id, product_id, kind, seats, starts_at, expires_at, active, updated_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, false, $9, $9)
       ON CONFLICT (license_id) DO UPDATE
          SET active = false, revoked_at = coalesce(known_licenses.revoked_at, EXCLUDED.revoked_at),
              updated_at = greatest(known_licenses.updated_at, EXCLUDED.updated_at)`,
      [...licenseParams(license).slice(0, 8), license.updatedAt],
    );
  }
}

function licenseParams(l: Omit<KnownLicense, 'revokedAt'>): unknown[] {
  return [
    l.licenseId,
    l.vendorId,
    l.keyId,
    l.productId,
    l.kind,
    l.seats,
    l.startsAt,
    l.expiresAt,
    l.active,
    l.updatedAt,
  ];
}
