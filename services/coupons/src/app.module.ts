import { DynamicModule, Module } from '@nestjs/common';
import { MessagingLifecycle, MessagingModule, serviceInfoResolver, SubgraphModule } from '@licensing/platform';
import { couponsMigrations } from '../database/migrations';
import { ActivationRepository } from './activation/activation.repository';
import { ActivationResolver, LicenseKeyActivationsResolver } from './activation/activation.resolver';
import { ActivationService } from './activation/activation.service';
import { CouponsConfig } from './config';
import { CouponRepository } from './coupon/coupon.repository';
import { CouponBatchResolver, CouponResolver } from './coupon/coupon.resolver';
import { CouponService } from './coupon/coupon.service';
import { ReadModelHandler } from './read-model/read-model.handler';
import { ReadModelRepository } from './read-model/read-model.repository';

export const COUPONS_RESOLVERS = [
  CouponResolver,
  CouponBatchResolver,
  ActivationResolver,
  LicenseKeyActivationsResolver,
  serviceInfoResolver('coupons'),
];

@Module({})
export class CouponsAppModule {
  static forRoot(config: CouponsConfig): DynamicModule {
    return {
      module: CouponsAppModule,
      imports: [
        SubgraphModule.forRoot({
          service: 'coupons',
          config,
          entities: [],
          migrations: couponsMigrations,
          healthChecks: [MessagingLifecycle],
        }),
        MessagingModule.forRoot({ service: 'coupons', config, handlers: [ReadModelHandler] }),
      ],
      providers: [
        ...COUPONS_RESOLVERS,
        ReadModelHandler,
        ReadModelRepository,
        CouponRepository,
        CouponService,
        ActivationRepository,
        ActivationService,
      ],
    };
  }
}
