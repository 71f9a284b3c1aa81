import { Module } from '@nestjs/common';
import { ActivationModule } from '../activation/activation.module';
import { CouponModule } from '../coupon/coupon.module';
import { ReadModelModule } from '../read-model/read-model.module';
import { GenerationResolver } from './generation.resolver';
import { GenerationService } from './generation.service';

/**
 * Generation of coupon batches: writes through the coupon feature, and activates an UPGRADE
 * coupon at once through the activation feature. It has no table of its own.
 */
@Module({
  imports: [CouponModule, ActivationModule, ReadModelModule],
  providers: [GenerationResolver, GenerationService],
  exports: [GenerationService],
})
export class GenerationModule {}
