import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Product } from './product.entity';

/** Every query is limited to one vendor. */
@Injectable()
export class ProductRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(vendorId: string): Promise<Product[]> {
    return this.dataSource.getRepository(Product).find({ where: { vendorId }, order: { code: 'ASC' } });
  }

  findByCode(vendorId: string, code: string, manager?: EntityManager): Promise<Product | null> {
    return (manager ?? this.dataSource.manager).getRepository(Product).findOneBy({ vendorId, code });
  }

  findById(vendorId: string | undefined, id: string, manager?: EntityManager, lock = false): Promise<Product | null> {
    const q = (manager ?? this.dataSource.manager)
      .getRepository(Product)
      .createQueryBuilder('p')
      .where('p.id = :id', { id });
    if (vendorId) q.andWhere('p.vendor_id = :vendorId', { vendorId });
    if (lock) q.setLock('pessimistic_write');
    return q.getOne();
  }

  async save(manager: EntityManager, product: Product): Promise<void> {
    await manager.getRepository(Product).update(
      { id: product.id, vendorId: product.vendorId },
      {
        name: product.name,
        licenseModel: product.licenseModel,
        trialDays: product.trialDays,
        requiresProductId: product.requiresProductId,
      },
    );
  }

  findByIds(vendorId: string, ids: readonly string[], manager?: EntityManager): Promise<Product[]> {
    if (!ids.length) return Promise.resolve([]);
    return (manager ?? this.dataSource.manager)
      .getRepository(Product)
      .createQueryBuilder('p')
      .where('p.vendor_id = :vendorId AND p.id = ANY(:ids)', { vendorId, ids })
      .getMany();
  }

  insert(manager: EntityManager, product: Omit<Product, 'id' | 'createdAt'>): Promise<Product> {
    return manager.getRepository(Product).save(manager.getRepository(Product).create(product));
  }
}
