import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Distributor } from './distributor.entity';

@Injectable()
export class DistributorRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findAll(vendorId: string): Promise<Distributor[]> {
    return this.dataSource.getRepository(Distributor).find({ where: { vendorId }, order: { name: 'ASC' } });
  }

  /** `vendorId` undefined: any vendor's, for federation references, which carry only the id. */
  findById(vendorId: string | undefined, id: string, manager?: EntityManager): Promise<Distributor | null> {
    return (manager ?? this.dataSource.manager)
      .getRepository(Distributor)
      .findOneBy(vendorId ? { vendorId, id } : { id });
  }

  insert(
    vendorId: string,
    distributor: Pick<Distributor, 'name' | 'email'>,
    manager: EntityManager,
  ): Promise<Distributor> {
    const repo = manager.getRepository(Distributor);
    return repo.save(repo.create({ ...distributor, vendorId }));
  }
}
