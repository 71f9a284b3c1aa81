import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { LicenseRecord } from './license.entity';

/** Licenses of keys; every read is limited to one vendor. */
@Injectable()
export class LicenseRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  forKey(vendorId: string, keyId: string, manager?: EntityManager): Promise<LicenseRecord[]> {
    return this.manager(manager)
      .getRepository(LicenseRecord)
      .find({ where: { vendorId, keyId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * Locks the key row, then reads its licenses: grants, rollbacks and trials of one key
   * take turns, even on a key with no license yet.
   */
  async forKeyLocked(manager: EntityManager, vendorId: string, keyId: string): Promise<LicenseRecord[]> {
    await manager.query('SELECT 1 FROM license_keys WHERE vendor_id = $1 AND id = $2 FOR UPDATE', [vendorId, keyId]);
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
    manager: EntityManager,
    license: Omit<LicenseRecord, 'id' | 'createdAt' | 'updatedAt'>,
  ): Promise<LicenseRecord> {
    const repo = manager.getRepository(LicenseRecord);
    return repo.save(repo.create(license));
  }

  /** Saves new terms; a changed end re-arms the expiry reminders for the new term. */
  async update(manager: EntityManager, license: LicenseRecord): Promise<void> {
    await manager.query(
      `UPDATE licenses
          SET kind = $2, seats = $3, starts_at = $4, expires_at = $5, active = $6, updated_at = now(),
              reminded_7d_at = CASE WHEN expires_at IS DISTINCT FROM $5 THEN NULL ELSE reminded_7d_at END,
              reminded_1d_at = CASE WHEN expires_at IS DISTINCT FROM $5 THEN NULL ELSE reminded_1d_at END,
              expired_notified_at = CASE WHEN expires_at IS DISTINCT FROM $5 THEN NULL ELSE expired_notified_at END
        WHERE id = $1`,
      [license.id, license.kind, license.seats, license.startsAt, license.expiresAt, license.active],
    );
  }

  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.getRepository(LicenseRecord).delete({ id });
  }
}
