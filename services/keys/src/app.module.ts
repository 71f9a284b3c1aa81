import { DynamicModule, Module } from '@nestjs/common';
import { MessagingLifecycle, MessagingModule, serviceInfoResolver, SubgraphModule } from '@licensing/platform';
// The generated schema lists object types in the order their classes are first loaded, so
// these load first, in the order the committed schema.graphql has them.
import './license-key/client.entity';
import './license-key/license-key.entity';
import './client-access/dto/client-login.inputs';
import './product/product.entity';
import './distributor/distributor.entity';
import './license/license.types';
import './staff/staff.entity';
import './license-key/dto/license-key.inputs';
import './vendor/vendor.entity';
import './registration/dto/registration.inputs';
import './staff/dto/staff.inputs';
import './vendor/dto/create-vendor.input';
import { keysMigrations } from '../database/migrations';
import { ClientAccessModule } from './client-access/client-access.module';
import { KeysConfig } from './config';
import { CouponGrantsModule } from './coupon-grants/coupon-grants.module';
import { Distributor } from './distributor/distributor.entity';
import { DistributorModule } from './distributor/distributor.module';
import { ExpiryModule } from './expiry/expiry.module';
import { Client } from './license-key/client.entity';
import { LicenseKey } from './license-key/license-key.entity';
import { LicenseKeyModule } from './license-key/license-key.module';
import { LicenseRecord } from './license/license.entity';
import { LicenseModule } from './license/license.module';
import { Product } from './product/product.entity';
import { ProductModule } from './product/product.module';
import { RegistrationModule } from './registration/registration.module';
import { Staff } from './staff/staff.entity';
import { StaffModule } from './staff/staff.module';
import { ApiKey } from './vendor/api-key.entity';
import { Vendor } from './vendor/vendor.entity';
import { VendorModule } from './vendor/vendor.module';

/** The tables the keys service maps to entities (the migrations create them all). */
export const KEYS_ENTITIES = [Vendor, ApiKey, Product, Staff, Distributor, Client, LicenseKey, LicenseRecord];

/** The `keysInfo` query; imported after the features, so the schema lists it after theirs. */
@Module({ providers: [serviceInfoResolver('keys')] })
class ServiceInfoModule {}

@Module({})
export class KeysAppModule {
  static forRoot(config: KeysConfig): DynamicModule {
    return {
      module: KeysAppModule,
      imports: [
        SubgraphModule.forRoot({
          service: 'keys',
          config,
          entities: KEYS_ENTITIES,
          migrations: keysMigrations,
          healthChecks: [MessagingLifecycle],
        }),
        MessagingModule.forRoot({ service: 'keys', config, handlers: CouponGrantsModule.handlers }),
        // In the order the schema lists their queries and mutations.
        VendorModule,
        ProductModule,
        StaffModule,
        DistributorModule,
        LicenseKeyModule,
        LicenseModule,
        RegistrationModule,
        ClientAccessModule,
        CouponGrantsModule,
        ExpiryModule,
        ServiceInfoModule,
      ],
    };
  }
}
