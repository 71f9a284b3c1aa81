import { Args, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Allow, CurrentIdentity, Identity, requireVendorId } from '@licensing/identity';
import { ActivationService } from '../activation/activation.service';
import { CouponService } from './coupon.service';
import { ActivationView, CouponBatchView, CouponConnection, CouponStatisticView, CouponView } from './coupon.types';
import { CouponFilter, GenerateCouponsInput } from './dto/coupon.inputs';

@Resolver(() => CouponView)
export class CouponResolver {
  constructor(
    private readonly couponService: CouponService,
    private readonly activationService: ActivationService,
  ) {}

  @Allow('vendor')
  @Mutation(() => CouponBatchView, { description: 'Generates a batch of coupons (up to 100,000 in one call).' })
  generateCoupons(
    @CurrentIdentity() identity: Identity,
    @Args('input') input: GenerateCouponsInput,
  ): Promise<CouponBatchView> {
    return this.couponService.generate(requireVendorId(identity), input);
  }

  @Allow('vendor')
  @Query(() => CouponConnection, { description: 'The caller vendor’s coupons, in the order they were generated.' })
  coupons(
    @CurrentIdentity() identity: Identity,
    @Args('filter', { type: () => CouponFilter, nullable: true }) filter?: CouponFilter,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<CouponConnection> {
    return this.couponService.page(requireVendorId(identity), filter, first ?? undefined, after);
  }

  @Allow('vendor')
  @Query(() => CouponView, { description: 'One coupon by its code, as typed.' })
  coupon(@CurrentIdentity() identity: Identity, @Args('code') code: string): Promise<CouponView> {
    return this.couponService.byCode(requireVendorId(identity), code);
  }

  @Allow('vendor')
  @Query(() => [CouponStatisticView], {
    description: 'Generated and activated coupons in [from, to), per distributor, product and type.',
  })
  couponStatistics(
    @CurrentIdentity() identity: Identity,
    @Args('from') from: Date,
    @Args('to') to: Date,
  ): Promise<CouponStatisticView[]> {
    return this.couponService.statistics(requireVendorId(identity), from, to);
  }

  @ResolveField(() => [ActivationView], { description: 'Every activation of the coupon, oldest first.' })
  activations(@Parent() coupon: CouponView): Promise<ActivationView[]> {
    return this.activationService.forCoupon(coupon.vendorId, coupon.code);
  }
}

@Resolver(() => CouponBatchView)
export class CouponBatchResolver {
  constructor(private readonly couponService: CouponService) {}

  @ResolveField(() => CouponConnection, { description: 'The batch’s coupons, in the order they were generated.' })
  coupons(
    @Parent() batch: CouponBatchView,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<CouponConnection> {
    return this.couponService.page(batch.vendorId, { batchId: batch.id }, first ?? undefined, after);
  }
}
