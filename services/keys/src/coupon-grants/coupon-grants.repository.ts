import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { row, rows, updated } from '@licensing/database';
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
 * An activation is found by its id and a coupon by its code, both unique across vendors;
 * the vendor is recorded with the activation.
 */
@Injectable()
export class CouponGrantsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Records the activation; false when it was recorded before (a redelivery). */
  async insertApplication(
    vendorId: string,
    a: { activationId: string; keyId: string; couponCode: string; couponType: string },
    manager: EntityManager,
  ): Promise<boolean> {
    const { count } = await updated(
      manager,
      `INSERT INTO coupon_applications (activation_id, vendor_id, key_id, coupon_code, coupon_type)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (activation_id) DO NOTHING RETURNING activation_id`,
      [a.activationId, vendorId, a.keyId, a.couponCode, a.couponType],
    );
    return count > 0;
  }

  /** Journals a license's state before the activation's first change of it (null: it created it). */
  async insertChange(
    activationId: string,
    licenseId: string,
    before: LicenseTerms | null,
    manager: EntityManager,
  ): Promise<void> {
    await updated(manager, `INSERT INTO coupon_changes (activation_id, license_id, before) VALUES ($1, $2, $3)`, [
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
    activationId: string,
    manager: EntityManager,
  ): Promise<{ keyId: string; changes: { licenseId: string; before: StoredTerms | null }[] } | undefined> {
    const taken = await row<{ key_id: string }>(
      manager,
      `UPDATE coupon_applications SET rolled_back_at = now()
        WHERE activation_id = $1 AND rolled_back_at IS NULL RETURNING key_id`,
      [activationId],
    );
    if (!taken) return undefined;
    const changes = await rows<{ licenseId: string; before: StoredTerms | null }>(
      manager,
      `SELECT license_id AS "licenseId", before FROM coupon_changes WHERE activation_id = $1 ORDER BY id DESC`,
      [activationId],
    );
    return { keyId: taken.key_id, changes };
  }

  /** The keys a coupon is active on, at most two (enough to tell one key from several). */
  async findKeyIdsByActiveCoupon(couponCode: string): Promise<string[]> {
    const found = await rows<{ key_id: string }>(
      this.dataSource,
      `SELECT DISTINCT key_id FROM coupon_applications WHERE coupon_code = $1 AND rolled_back_at IS NULL LIMIT 2`,
      [couponCode],
    );
    return found.map((r) => r.key_id);
  }
}
