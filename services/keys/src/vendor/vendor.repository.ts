import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
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

  /** The gateway's lookup: the key is the credential, so it is found across vendors. */
  findActiveApiKeyByHash(keyHash: string): Promise<Pick<ApiKey, 'id' | 'vendorId'> | null> {
    return this.dataSource
      .getRepository(ApiKey)
      .findOne({ select: { id: true, vendorId: true }, where: { keyHash, revokedAt: IsNull() } });
  }
}
