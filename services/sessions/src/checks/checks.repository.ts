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

  /** Several checks in one statement (a batch of ChecksService's group commit). */
  async insertMany(manager: EntityManager, checks: LicenseCheckRecord[]): Promise<void> {
    if (checks.length) await manager.getRepository(LicenseCheckRecord).insert(checks);
  }

  findById(vendorId: string, requestId: string): Promise<LicenseCheckRecord | null> {
    return this.dataSource.getRepository(LicenseCheckRecord).findOneBy({ vendorId, requestId });
  }
}
