import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { Allow, CurrentIdentity, Identity, requireVendorId } from '@licensing/identity';
import { CouponBatchView } from '../coupon/coupon-batch.types';
import { GenerateCouponsInput } from './dto/generate-coupons.input';
import { GenerationService } from './generation.service';

@Resolver()
export class GenerationResolver {
  constructor(private readonly generationService: GenerationService) {}

  @Allow('vendor')
  @Mutation(() => CouponBatchView, { description: 'Generates a batch of coupons (up to 100,000 in one call).' })
  generateCoupons(
    @CurrentIdentity() identity: Identity,
    @Args('input', { description: "The coupons' type, products and terms, distributor, count and comment." })
    input: GenerateCouponsInput,
  ): Promise<CouponBatchView> {
    return this.generationService.generate(requireVendorId(identity), input);
  }
}
