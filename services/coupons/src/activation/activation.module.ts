import { Module } from '@nestjs/common';
import { CouponModule } from '../coupon/coupon.module';
import { ReadModelModule } from '../read-model/read-model.module';
import { ActivationRepository } from './activation.repository';
import { ActivationResolver, CouponActivationsResolver, LicenseKeyActivationsResolver } from './activation.resolver';
import { ActivationService } from './activation.service';

/**
 * Activations of coupons on keys. Uses the coupon feature for the coupon's side (finding
 * and taking it) and the read model for the key; neither uses it.
 */
@Module({
  imports: [CouponModule, ReadModelModule],
  providers: [
    ActivationResolver,
    CouponActivationsResolver,
    LicenseKeyActivationsResolver,
    ActivationService,
    ActivationRepository,
  ],
  exports: [ActivationService],
})
export class ActivationModule {}
