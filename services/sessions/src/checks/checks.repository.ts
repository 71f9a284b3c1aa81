import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { LicenseCheckRecord } from './check.entity';

/** Recorded license checks; read by vendor only. */
@Injectable()
export class ChecksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, check: LicenseCheckRecord): Promise<void> {
    await manager.getRepository(LicenseCheckRecord).insert(check);
  }

  findById(vendorId: string, requestId: string): Promise<LicenseCheckRecord | null> {
    return this.dataSource.getRepository(LicenseCheckRecord).findOneBy({ vendorId, requestId });
  }
}
