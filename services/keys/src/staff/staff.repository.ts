import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Staff } from './staff.entity';

@Injectable()
export class StaffRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findAll(vendorId: string): Promise<Staff[]> {
    return this.dataSource.getRepository(Staff).find({ where: { vendorId }, order: { email: 'ASC' } });
  }

  /** `vendorId` undefined: any vendor's, for federation references, which carry only the id. */
  findById(vendorId: string | undefined, id: string, manager?: EntityManager): Promise<Staff | null> {
    return (manager ?? this.dataSource.manager).getRepository(Staff).findOneBy(vendorId ? { vendorId, id } : { id });
  }

  /**
   * The one lookup that reads the password hash: login, by the e-mail that is unique across
   * vendors (the login does not know the vendor yet).
   */
  async findLogin(email: string): Promise<{ staff: Staff; passwordHash: string } | null> {
    const found = await this.dataSource
      .getRepository(Staff)
      .createQueryBuilder('s')
      .addSelect('s.passwordHash')
      .where('s.email = :email', { email })
      .getOne();
    if (!found?.passwordHash) return null;
    const { passwordHash, ...staff } = found;
    return { staff, passwordHash };
  }

  /** Saves a new staff member and returns it without its password hash. */
  async insert(
    vendorId: string,
    staff: Omit<Staff, 'id' | 'vendorId' | 'createdAt'>,
    manager: EntityManager,
  ): Promise<Staff> {
    const repo = manager.getRepository(Staff);
    const { passwordHash: _hash, ...saved } = await repo.save(repo.create({ ...staff, vendorId }));
    return saved;
  }
}
