import { Args, ID, Mutation, Parent, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { UuidPipe } from '@licensing/platform';
import { Allow, CurrentIdentity, Identity, requireVendorId } from '@licensing/identity';
import { CouponView } from '../coupon/coupon.types';
import { LicenseKeyRef } from '../read-model/read-model.types';
import { ActivationService } from './activation.service';
import { ActivationView } from './activation.types';
import { ActivateCouponInput } from './dto/activate-coupon.input';

@Resolver(() => ActivationView)
export class ActivationResolver {
  constructor(private readonly activationService: ActivationService) {}

  @Allow('vendor', 'client', 'application')
  @Mutation(() => ActivationView, {
    description:
      'Activates a coupon on a key. The channel is the caller: VENDOR_CABINET (vendor token), CLIENT_CABINET (client ' +
      'token, its own key only) or APPLICATION (no token). 1003 when the key is unknown.',
  })
  activateCoupon(
    @CurrentIdentity() identity: Identity,
    @Args('input', { description: 'The key and the coupon, both as typed; the channel comes from the caller.' })
    input: ActivateCouponInput,
  ): Promise<ActivationView> {
    return this.activationService.activate(identity, input);
  }

  @Allow('vendor')
  @Mutation(() => ActivationView, {
    description: 'Rolls back what the activation granted; a single-use coupon stays used.',
  })
  deactivateActivation(
    @CurrentIdentity() identity: Identity,
    @Args(
      'id',
      { type: () => ID, description: "Id of the activation to roll back (one on the caller's vendor's keys)." },
      UuidPipe,
    )
    id: string,
  ): Promise<ActivationView> {
    return this.activationService.deactivate(requireVendorId(identity), id);
  }

  @ResolveField(() => CouponView, { description: 'The coupon that was activated.' })
  coupon(@Parent() activation: ActivationView): Promise<CouponView> {
    return this.activationService.findCoupon(activation);
  }
}

/** The coupon feature's Coupon, extended with its activations. */
@Resolver(() => CouponView)
export class CouponActivationsResolver {
  constructor(private readonly activationService: ActivationService) {}

  @ResolveField(() => [ActivationView], { description: 'Every activation of the coupon, oldest first.' })
  activations(@Parent() coupon: CouponView): Promise<ActivationView[]> {
    return this.activationService.findByCoupon(coupon.vendorId, coupon.code);
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
    return this.activationService.findByKey(identity, key.id);
  }

  @ResolveReference()
  resolveReference(ref: { id: string }): LicenseKeyRef {
    return { id: ref.id };
  }
}
