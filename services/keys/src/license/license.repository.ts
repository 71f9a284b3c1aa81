import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { rows, updated } from '@licensing/database';
import { LicenseRecord } from './license.entity';

/** Licenses of keys; every query is limited to one vendor. */
@Injectable()
export class LicenseRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The key's licenses, oldest first. */
  findByKey(vendorId: string, keyId: string, manager?: EntityManager): Promise<LicenseRecord[]> {
    return (manager ?? this.dataSource.manager)
      .getRepository(LicenseRecord)
      .find({ where: { vendorId, keyId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * Locks the key row, then reads its licenses: grants, rollbacks and trials of one key
   * take turns, even on a key with no license yet.
   */
  async findByKeyLocked(vendorId: string, keyId: string, manager: EntityManager): Promise<LicenseRecord[]> {
    await rows(manager, 'SELECT 1 FROM license_keys WHERE vendor_id = $1 AND id = $2 FOR UPDATE', [vendorId, keyId]);
    return manager
      .getRepository(LicenseRecord)
      .createQueryBuilder('l')
      .where('l.vendor_id = :vendorId AND l.key_id = :keyId', { vendorId, keyId })
      .orderBy('l.created_at', 'ASC')
      .addOrderBy('l.id', 'ASC')
      .setLock('pessimistic_write')
      .getMany();
  }

  insert(
    vendorId: string,
    license: Omit<LicenseRecord, 'id' | 'vendorId' | 'createdAt' | 'updatedAt'>,
    manager: EntityManager,
  ): Promise<LicenseRecord> {
    const repo = manager.getRepository(LicenseRecord);
    return repo.save(repo.create({ ...license, vendorId }));
  }

  /** Saves new terms; a changed end re-arms the expiry reminders for the new term. */
  async save(vendorId: string, license: LicenseRecord, manager: EntityManager): Promise<void> {
    await updated(
      manager,
      `UPDATE licenses
          SET kind = $3, seats = $4, starts_at = $5, expires_at = $6, active = $7, updated_at = now(),
              reminded_7d_at = CASE WHEN expires_at IS DISTINCT FROM $6 THEN NULL ELSE reminded_7d_at END,
              reminded_1d_at = CASE WHEN expires_at IS DISTINCT FROM $6 THEN NULL ELSE reminded_1d_at END,
              expired_notified_at = CASE WHEN expires_at IS DISTINCT FROM $6 THEN NULL ELSE expired_notified_at END
        WHERE vendor_id = $1 AND id = $2`,
      [vendorId, license.id, license.kind, license.seats, license.startsAt, license.expiresAt, license.active],
    );
  }

  async delete(vendorId: string, id: string, manager: EntityManager): Promise<void> {
    await manager.getRepository(LicenseRecord).delete({ vendorId, id });
  }
}
