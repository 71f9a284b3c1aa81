import { Args, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Allow, CurrentIdentity, Identity, requireVendorId } from '@licensing/identity';
import { CouponService } from './coupon.service';
import { CouponBatchView, CouponConnection, CouponStatisticView } from './coupon-batch.types';
import { CouponView } from './coupon.types';
import { CouponFilter } from './dto/coupon-filter.input';

@Resolver(() => CouponView)
export class CouponResolver {
  constructor(private readonly couponService: CouponService) {}

  @Allow('vendor')
  @Query(() => CouponConnection, { description: 'The caller vendor’s coupons, in the order they were generated.' })
  coupons(
    @CurrentIdentity() identity: Identity,
    @Args('filter', {
      type: () => CouponFilter,
      nullable: true,
      description: 'Conditions the coupons must meet; all coupons of the vendor when left out.',
    })
    filter?: CouponFilter,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size, 1 to 500 (default 20).' })
    first?: number,
    @Args('after', {
      type: () => String,
      nullable: true,
      description: 'The endCursor of the previous page; the first page when left out.',
    })
    after?: string,
  ): Promise<CouponConnection> {
    return this.couponService.findPage(requireVendorId(identity), filter, first ?? undefined, after);
  }

  @Allow('vendor')
  @Query(() => CouponView, { description: 'One coupon by its code, as typed.' })
  coupon(
    @CurrentIdentity() identity: Identity,
    @Args('code', {
      description: 'The coupon code as typed: any case, with or without dashes and spaces, I and L read as 1, O as 0.',
    })
    code: string,
  ): Promise<CouponView> {
    return this.couponService.findByCode(requireVendorId(identity), code);
  }

  @Allow('vendor')
  @Query(() => [CouponStatisticView], {
    description: 'Generated and activated coupons in [from, to), per distributor, product and type.',
  })
  couponStatistics(
    @CurrentIdentity() identity: Identity,
    @Args('from', { description: 'Start of the period, inclusive.' }) from: Date,
    @Args('to', { description: 'End of the period, exclusive; it must be after from.' }) to: Date,
  ): Promise<CouponStatisticView[]> {
    return this.couponService.statistics(requireVendorId(identity), from, to);
  }
}

@Resolver(() => CouponBatchView)
export class CouponBatchResolver {
  constructor(private readonly couponService: CouponService) {}

  @ResolveField(() => CouponConnection, { description: 'The batch’s coupons, in the order they were generated.' })
  coupons(
    @Parent() batch: CouponBatchView,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size, 1 to 500 (default 20).' })
    first?: number,
    @Args('after', {
      type: () => String,
      nullable: true,
      description: 'The endCursor of the previous page; the first page when left out.',
    })
    after?: string,
  ): Promise<CouponConnection> {
    return this.couponService.findPage(batch.vendorId, { batchId: batch.id }, first ?? undefined, after);
  }
}
