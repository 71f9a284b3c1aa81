import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { updated } from '@licensing/database';
import { ApiKey } from './api-key.entity';
import { Vendor } from './vendor.entity';

/** Vendors and their API keys. A vendor's own row is found by its id, which is its vendor id. */
@Injectable()
export class VendorRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Operator-only listing; every other read is of one vendor. */
  findAll(): Promise<Vendor[]> {
    return this.dataSource.getRepository(Vendor).find({ order: { prefix: 'ASC' } });
  }

  findById(vendorId: string): Promise<Vendor | null> {
    return this.dataSource.getRepository(Vendor).findOneBy({ id: vendorId });
  }

  /** Applications name their vendor by its prefix. */
  findByPrefix(prefix: string): Promise<Vendor | null> {
    return this.dataSource.getRepository(Vendor).findOneBy({ prefix });
  }

  insert(vendor: Pick<Vendor, 'prefix' | 'name'>, manager: EntityManager): Promise<Vendor> {
    const repo = manager.getRepository(Vendor);
    return repo.save(repo.create(vendor));
  }

  insertApiKey(
    vendorId: string,
    key: Pick<ApiKey, 'keyHash' | 'displayPrefix'>,
    manager: EntityManager,
  ): Promise<ApiKey> {
    const repo = manager.getRepository(ApiKey);
    return repo.save(repo.create({ ...key, vendorId, revokedAt: null }));
  }

  /** A vendor's API keys, revoked ones too, oldest first. */
  findApiKeys(vendorId: string): Promise<ApiKey[]> {
    return this.dataSource.getRepository(ApiKey).find({ where: { vendorId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** `vendorId` undefined: any vendor's (the operator). */
  findApiKeyById(vendorId: string | undefined, id: string, manager?: EntityManager): Promise<ApiKey | null> {
    return (manager ?? this.dataSource.manager).getRepository(ApiKey).findOneBy(vendorId ? { vendorId, id } : { id });
  }

  /**
   * Revokes a key that is not revoked yet, in one conditional statement, so of two parallel
   * revocations one does it. Null when there is no such key of the vendor or it was revoked
   * before. `vendorId` undefined: any vendor's (the operator).
   */
  async revokeApiKey(vendorId: string | undefined, id: string, manager: EntityManager): Promise<ApiKey | null> {
    const { rows } = await updated<{ id: string }>(
      manager,
      `UPDATE api_keys SET revoked_at = now()
        WHERE id = $1 AND ($2::uuid IS NULL OR vendor_id = $2) AND revoked_at IS NULL
        RETURNING id`,
      [id, vendorId ?? null],
    );
    return rows[0] ? this.findApiKeyById(vendorId, id, manager) : null;
  }

  /** The gateway's lookup: the key is the credential, so it is found across vendors. */
  findActiveApiKeyByHash(keyHash: string): Promise<Pick<ApiKey, 'id' | 'vendorId' | 'lastUsedAt'> | null> {
    return this.dataSource
      .getRepository(ApiKey)
      .findOne({ select: { id: true, vendorId: true, lastUsedAt: true }, where: { keyHash, revokedAt: IsNull() } });
  }

  /**
   * Records a use of the key unless one was recorded in the last minute (the condition holds
   * parallel lookups from several gateways to one write).
   */
  async touchApiKey(id: string): Promise<void> {
    await updated(
      this.dataSource,
      `UPDATE api_keys SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [id],
    );
  }
}
