import { Args, ID, Mutation, Parent, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { Allow, CurrentIdentity, Identity, requireVendorId } from '@licensing/identity';
import { CouponRepository } from '../coupon/coupon.repository';
import { ActivationView, CouponView, LicenseKeyRef } from '../coupon/coupon.types';
import { ActivateCouponInput } from '../coupon/dto/coupon.inputs';
import { ActivationService } from './activation.service';

@Resolver(() => ActivationView)
export class ActivationResolver {
  constructor(
    private readonly activationService: ActivationService,
    private readonly coupons: CouponRepository,
  ) {}

  @Allow('vendor', 'client', 'application')
  @Mutation(() => ActivationView, {
    description:
      'Activates a coupon on a key. The channel is the caller: VENDOR_CABINET (vendor token), CLIENT_CABINET (client ' +
      'token, its own key only) or APPLICATION (no token). 1003 when the key is unknown.',
  })
  activateCoupon(
    @CurrentIdentity() identity: Identity,
    @Args('input') input: ActivateCouponInput,
  ): Promise<ActivationView> {
    return this.activationService.activate(identity, input);
  }

  @Allow('vendor')
  @Mutation(() => ActivationView, {
    description: 'Rolls back what the activation granted; a single-use coupon stays used.',
  })
  deactivateActivation(
    @CurrentIdentity() identity: Identity,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<ActivationView> {
    return this.activationService.deactivate(requireVendorId(identity), id);
  }

  @ResolveField(() => CouponView)
  async coupon(@Parent() activation: ActivationView): Promise<CouponView> {
    return (await this.coupons.byCode(activation.vendorId, activation.couponCode))!;
  }
}

/** The keys service's LicenseKey, extended with its coupon activations. */
@Resolver(() => LicenseKeyRef)
export class LicenseKeyActivationsResolver {
  constructor(private readonly activationService: ActivationService) {}

  @ResolveField(() => [ActivationView], {
    description: 'Coupons activated on the key, oldest first, with their deactivations.',
  })
  activations(@Parent() key: LicenseKeyRef, @CurrentIdentity() identity: Identity): Promise<ActivationView[]> {
    return this.activationService.forKey(identity, key.id);
  }

  @ResolveReference()
  resolveReference(ref: { id: string }): LicenseKeyRef {
    return { id: ref.id };
  }
}
