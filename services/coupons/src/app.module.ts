import { DynamicModule, Module } from '@nestjs/common';
import { MessagingLifecycle, MessagingModule, serviceInfoResolver, SubgraphModule } from '@licensing/platform';
// schema.graphql lists the GraphQL types in the order they are defined: these imports, first
// and in this order, keep it stable whichever feature loads first.
import './read-model/read-model.types';
import './coupon/coupon.types';
import './activation/activation.types';
import './coupon/coupon-batch.types';
import { couponsMigrations } from '../database/migrations';
import { ActivationRecord } from './activation/activation.entity';
import { ActivationModule } from './activation/activation.module';
import { CouponsConfig } from './config';
import { COUPON_ENTITIES } from './coupon/coupon.entity';
import { CouponModule } from './coupon/coupon.module';
import { GenerationModule } from './generation/generation.module';
import { READ_MODEL_ENTITIES } from './read-model/read-model.entity';
import { ReadModelModule } from './read-model/read-model.module';

/** The tables the coupons service maps to entities (the migrations create them all). */
export const COUPONS_ENTITIES = [...READ_MODEL_ENTITIES, ...COUPON_ENTITIES, ActivationRecord];

/** `couponsInfo`; imported after the features, so it stays the last field of Query in schema.graphql. */
@Module({ providers: [serviceInfoResolver('coupons')] })
class ServiceInfoModule {}

@Module({})
export class CouponsAppModule {
  static forRoot(config: CouponsConfig): DynamicModule {
    return {
      module: CouponsAppModule,
      imports: [
        SubgraphModule.forRoot({
          service: 'coupons',
          config,
          entities: COUPONS_ENTITIES,
          migrations: couponsMigrations,
          healthChecks: [MessagingLifecycle],
        }),
        MessagingModule.forRoot({ service: 'coupons', config, handlers: ReadModelModule.handlers }),
        // In the order the schema lists their queries and mutations.
        ReadModelModule,
        CouponModule,
        GenerationModule,
        ActivationModule,
        ServiceInfoModule,
      ],
    };
  }
}
