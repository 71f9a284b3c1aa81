import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { normalizeCouponCode } from '@licensing/domain';
import { BadInputError, NotFoundError } from '@licensing/graphql';
import { assertPageSize, decodeCursor, toConnection } from '@licensing/platform';
import { CouponBatchRecord, CouponRecord } from './coupon.entity';
import { CouponFilterValues, CouponRepository } from './coupon.repository';
import { CouponBatchView, couponBatchView, CouponConnection, CouponStatisticView } from './coupon-batch.types';
import { CouponView, couponView } from './coupon.types';

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 500;

/**
 * Coupons and their batches: the vendor's lists and statistics, and for the features that
 * use coupons, writing a generated batch and the coupon's side of an activation.
 */
@Injectable()
export class CouponService {
  constructor(private readonly coupons: CouponRepository) {}

  async findByCode(vendorId: string, typed: string): Promise<CouponView> {
    const code = normalizeCouponCode(typed);
    if (!code) throw new BadInputError('code', 'code is not a well-formed coupon (PPPPUPD-XXXXX-XXXXX-XXXXX-XXXXX)');
    const coupon = await this.coupons.findByCode(vendorId, code);
    if (!coupon) throw new NotFoundError('Coupon', 'code');
    return couponView(coupon);
  }

  async findPage(
    vendorId: string,
    filter: CouponFilterValues | undefined,
    first = DEFAULT_PAGE,
    after?: string | null,
  ): Promise<CouponConnection> {
    assertPageSize(first, MAX_PAGE);
    const { coupons, total } = await this.coupons.findPage(
      vendorId,
      filter ?? {},
      first,
      after ? decodeCursor('c', after) : undefined,
    );
    return toConnection('c', coupons.map(couponView), first, total, (c) => c.seq);
  }

  async findBatchById(vendorId: string, id: string): Promise<CouponBatchView | null> {
    const batch = await this.coupons.findBatchById(vendorId, id);
    return batch && couponBatchView(batch);
  }

  async statistics(vendorId: string, from: Date, to: Date): Promise<CouponStatisticView[]> {
    if (!(from < to)) throw new BadInputError('to', 'to must be after from');
    return (await this.coupons.findStatistics(vendorId, from, to)).map((r) => ({
      distributor: r.distributorId ? { id: r.distributorId } : null,
      product: { id: r.productId, code: r.productCode },
      type: r.type,
      generated: r.generated,
      activated: r.activated,
    }));
  }

  /** Writes a generated batch and its coupons inside the caller's transaction. */
  insertBatch(manager: EntityManager, batch: CouponBatchRecord, codes: readonly string[]): Promise<void> {
    return this.coupons.insertBatch(manager, batch, codes);
  }

  /** A coupon by its canonical code, of any vendor, with its batch's terms, for an activation. */
  findForActivation(manager: EntityManager, code: string): Promise<CouponRecord | null> {
    return this.coupons.findByCode(undefined, code, manager);
  }

  /** NEW becomes ACTIVATED; false when it was not NEW (see CouponRepository.take). */
  take(manager: EntityManager, code: string): Promise<boolean> {
    return this.coupons.take(manager, code);
  }

  /** A single-use coupon whose activation was deactivated stays used: DEACTIVATED. */
  markDeactivated(manager: EntityManager, code: string): Promise<void> {
    return this.coupons.markDeactivated(manager, code);
  }
}
