import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { ApiKey } from './api-key.entity';
import { Vendor } from './vendor.entity';

@Injectable()
export class VendorRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Operator-only listing; every other read is by id within the caller's vendor. */
  listAll(): Promise<Vendor[]> {
    return this.dataSource.getRepository(Vendor).find({ order: { prefix: 'ASC' } });
  }

  findById(id: string): Promise<Vendor | null> {
    return this.dataSource.getRepository(Vendor).findOneBy({ id });
  }

  findByPrefix(prefix: string): Promise<Vendor | null> {
    return this.dataSource.getRepository(Vendor).findOneBy({ prefix });
  }

  findByIds(ids: readonly string[]): Promise<Vendor[]> {
    return this.dataSource.getRepository(Vendor).createQueryBuilder('v').where('v.id = ANY(:ids)', { ids }).getMany();
  }

  insert(manager: EntityManager, vendor: Pick<Vendor, 'prefix' | 'name'>): Promise<Vendor> {
    return manager.getRepository(Vendor).save(manager.getRepository(Vendor).create(vendor));
  }

  insertApiKey(manager: EntityManager, key: Pick<ApiKey, 'vendorId' | 'keyHash' | 'displayPrefix'>): Promise<ApiKey> {
    return manager.getRepository(ApiKey).save(manager.getRepository(ApiKey).create({ ...key, revokedAt: null }));
  }

  findActiveApiKeyByHash(keyHash: string): Promise<Pick<ApiKey, 'id' | 'vendorId'> | null> {
    return this.dataSource
      .getRepository(ApiKey)
      .findOne({ select: { id: true, vendorId: true }, where: { keyHash, revokedAt: IsNull() } });
  }
}
