import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ActivationChannel } from '@licensing/events';
import { ActivationView, grantViews, StoredGrant } from '../coupon/coupon.types';

interface ActivationRow {
  id: string;
  vendor_id: string;
  coupon_code: string;
  key_id: string;
  channel: ActivationChannel;
  activated_at: Date;
  deactivated_at: Date | null;
  grants: StoredGrant[];
}

function toView(r: ActivationRow): ActivationView {
  return {
    id: r.id,
    vendorId: r.vendor_id,
    couponCode: r.coupon_code,
    channel: r.channel,
    activatedAt: r.activated_at,
    deactivatedAt: r.deactivated_at,
    licenseKey: { id: r.key_id },
    grants: grantViews(r.grants),
  };
}

const SELECT = `SELECT a.id, a.vendor_id, a.coupon_code, a.key_id, a.channel, a.activated_at, a.deactivated_at, b.grants
  FROM activations a JOIN coupons c ON c.code = a.coupon_code JOIN coupon_batches b ON b.id = c.batch_id`;

/** Activations of coupons on keys; every read is limited to one vendor. */
@Injectable()
export class ActivationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The activation row; the unique (coupon, key) constraint refuses a second one. */
  async insert(
    manager: EntityManager,
    a: { id: string; vendorId: string; couponCode: string; keyId: string; channel: ActivationChannel },
  ): Promise<ActivationView> {
    await manager.query(
      `INSERT INTO activations (id, vendor_id, coupon_code, key_id, channel) VALUES ($1, $2, $3, $4, $5)`,
      [a.id, a.vendorId, a.couponCode, a.keyId, a.channel],
    );
    const rows = (await manager.query(`${SELECT} WHERE a.id = $1`, [a.id])) as ActivationRow[];
    return toView(rows[0]!);
  }

  forKey(vendorId: string, keyId: string): Promise<ActivationView[]> {
    return this.list(`WHERE a.vendor_id = $1 AND a.key_id = $2 ORDER BY a.activated_at, a.id`, [vendorId, keyId]);
  }

  forCoupon(vendorId: string, couponCode: string): Promise<ActivationView[]> {
    return this.list(`WHERE a.vendor_id = $1 AND a.coupon_code = $2 ORDER BY a.activated_at, a.id`, [
      vendorId,
      couponCode,
    ]);
  }

  async byId(vendorId: string, id: string, manager?: EntityManager): Promise<ActivationView | null> {
    const rows = (await (manager ?? this.dataSource.manager).query(`${SELECT} WHERE a.vendor_id = $1 AND a.id = $2`, [
      vendorId,
      id,
    ])) as ActivationRow[];
    return rows[0] ? toView(rows[0]) : null;
  }

  /** Marks a live activation deactivated; null when there is none (unknown or deactivated before). */
  async deactivate(manager: EntityManager, vendorId: string, id: string): Promise<ActivationView | null> {
    const rows = (await manager.query(
      `UPDATE activations SET deactivated_at = now() WHERE vendor_id = $1 AND id = $2 AND deactivated_at IS NULL RETURNING id`,
      [vendorId, id],
    )) as [unknown[], number];
    return rows[1] > 0 ? this.byId(vendorId, id, manager) : null;
  }

  private async list(where: string, params: unknown[]): Promise<ActivationView[]> {
    return ((await this.dataSource.query(`${SELECT} ${where}`, params)) as ActivationRow[]).map(toView);
  }
}
