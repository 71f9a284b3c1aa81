import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Product } from './product.entity';

/** Products. Every query is limited to one vendor, but the federation reference by id. */
@Injectable()
export class ProductRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findAll(vendorId: string): Promise<Product[]> {
    return this.dataSource.getRepository(Product).find({ where: { vendorId }, order: { code: 'ASC' } });
  }

  findByCode(vendorId: string, code: string, manager?: EntityManager): Promise<Product | null> {
    return (manager ?? this.dataSource.manager).getRepository(Product).findOneBy({ vendorId, code });
  }

  /** `vendorId` undefined: any vendor's, for federation references, which carry only the id. */
  findById(vendorId: string | undefined, id: string, manager?: EntityManager): Promise<Product | null> {
    return (manager ?? this.dataSource.manager).getRepository(Product).findOneBy(vendorId ? { vendorId, id } : { id });
  }

  /** The product, locked for a change until the transaction ends. */
  findByIdLocked(vendorId: string, id: string, manager: EntityManager): Promise<Product | null> {
    return manager
      .getRepository(Product)
      .createQueryBuilder('p')
      .where('p.vendor_id = :vendorId AND p.id = :id', { vendorId, id })
      .setLock('pessimistic_write')
      .getOne();
  }

  findByIds(vendorId: string, ids: readonly string[], manager?: EntityManager): Promise<Product[]> {
    if (!ids.length) return Promise.resolve([]);
    return (manager ?? this.dataSource.manager)
      .getRepository(Product)
      .createQueryBuilder('p')
      .where('p.vendor_id = :vendorId AND p.id = ANY(:ids)', { vendorId, ids })
      .getMany();
  }

  insert(
    vendorId: string,
    product: Omit<Product, 'id' | 'vendorId' | 'createdAt'>,
    manager: EntityManager,
  ): Promise<Product> {
    const repo = manager.getRepository(Product);
    return repo.save(repo.create({ ...product, vendorId }));
  }

  async save(vendorId: string, product: Product, manager: EntityManager): Promise<void> {
    await manager.getRepository(Product).update(
      { id: product.id, vendorId },
      {
        name: product.name,
        licenseModel: product.licenseModel,
        trialDays: product.trialDays,
        requiresProductId: product.requiresProductId,
      },
    );
  }
}
