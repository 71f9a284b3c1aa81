import { DynamicModule, Module } from '@nestjs/common';
import { MessagingLifecycle, MessagingModule, serviceInfoResolver, SubgraphModule } from '@licensing/platform';
import { couponsMigrations } from '../database/migrations';
import { CouponsConfig } from './config';

export const COUPONS_RESOLVERS = [serviceInfoResolver('coupons')];

@Module({})
export class CouponsAppModule {
  static forRoot(config: CouponsConfig): DynamicModule {
    return {
      module: CouponsAppModule,
      imports: [
        SubgraphModule.forRoot({ service: 'coupons', config, entities: [], migrations: couponsMigrations, healthChecks: [MessagingLifecycle] }),
        MessagingModule.forRoot({ service: 'coupons', config }),
      ],
      providers: [...COUPONS_RESOLVERS],
    };
  }
}
