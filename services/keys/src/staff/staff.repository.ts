import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Staff } from './staff.entity';

@Injectable()
export class StaffRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(vendorId: string): Promise<Staff[]> {
    return this.dataSource.getRepository(Staff).find({ where: { vendorId }, order: { email: 'ASC' } });
  }

  findById(vendorId: string | undefined, id: string, manager?: EntityManager): Promise<Staff | null> {
    return (manager ?? this.dataSource.manager).getRepository(Staff).findOneBy(vendorId ? { vendorId, id } : { id });
  }

  /** The one lookup that reads the password hash: login. */
  findForLogin(email: string): Promise<Staff | null> {
    return this.dataSource
      .getRepository(Staff)
      .createQueryBuilder('s')
      .addSelect('s.passwordHash')
      .where('s.email = :email', { email })
      .getOne();
  }

  insert(manager: EntityManager, staff: Omit<Staff, 'id' | 'createdAt'>): Promise<Staff> {
    const repo = manager.getRepository(Staff);
    return repo.save(repo.create(staff));
  }
}
