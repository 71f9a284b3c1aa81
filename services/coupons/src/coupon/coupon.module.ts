import { Module } from '@nestjs/common';
import { CouponRepository } from './coupon.repository';
import { CouponBatchResolver, CouponResolver } from './coupon.resolver';
import { CouponService } from './coupon.service';

/** Coupons and their batches: lists, statistics, and the coupon's side of generation and activation. */
@Module({
  providers: [CouponResolver, CouponBatchResolver, CouponService, CouponRepository],
  exports: [CouponService],
})
export class CouponModule {}
