import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { LicenseTerms } from '../license/license.entity';

/** A license's terms as the journal stores them (JSON). */
export interface StoredTerms {
  kind: LicenseTerms['kind'];
  seats: number;
  startsAt: string;
  expiresAt: string | null;
  active: boolean;
}

/**
 * The coupon activations applied to keys, and the journal of what each changed. Also the
 * keys service's knowledge of which coupon is active on which key (client login by coupon).
 */
@Injectable()
export class CouponApplicationRepository {
  /** Records the activation; false when it was recorded before (a redelivery). */
  async claim(
    manager: EntityManager,
    a: { activationId: string; vendorId: string; keyId: string; couponCode: string; couponType: string },
  ): Promise<boolean> {
    const rows = (await manager.query(
      `INSERT INTO coupon_applications (activation_id, vendor_id, key_id, coupon_code, coupon_type)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (activation_id) DO NOTHING RETURNING activation_id`,
      [a.activationId, a.vendorId, a.keyId, a.couponCode, a.couponType],
    )) as unknown[];
    return rows.length > 0;
  }

  async journal(
    manager: EntityManager,
    activationId: string,
    licenseId: string,
    before: LicenseTerms | null,
  ): Promise<void> {
    await manager.query(`INSERT INTO coupon_changes (activation_id, license_id, before) VALUES ($1, $2, $3)`, [
      activationId,
      licenseId,
      before ? JSON.stringify(before) : null,
    ]);
  }

  /**
   * Marks a live activation rolled back and returns its key and journal, newest change
   * first; undefined when it was never applied or is rolled back already.
   */
  async takeForRollback(
    manager: EntityManager,
    activationId: string,
  ): Promise<{ keyId: string; changes: { licenseId: string; before: StoredTerms | null }[] } | undefined> {
    const rows = (await manager.query(
      `UPDATE coupon_applications SET rolled_back_at = now()
        WHERE activation_id = $1 AND rolled_back_at IS NULL RETURNING key_id`,
      [activationId],
    )) as [{ key_id: string }[], number];
    const keyId = rows[0][0]?.key_id;
    if (!keyId) return undefined;
    const changes = (await manager.query(
      `SELECT license_id AS "licenseId", before FROM coupon_changes WHERE activation_id = $1 ORDER BY id DESC`,
      [activationId],
    )) as { licenseId: string; before: StoredTerms | null }[];
    return { keyId, changes };
  }
}
