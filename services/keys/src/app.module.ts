import { DynamicModule, Module } from '@nestjs/common';
import { MessagingLifecycle, MessagingModule, serviceInfoResolver, SubgraphModule } from '@licensing/platform';
import { keysMigrations } from '../database/migrations';
import { ClientAccessResolver } from './client-access/client-access.resolver';
import { ClientAccessService } from './client-access/client-access.service';
import { FailureThrottle } from './common/failure-throttle';
import { KeysConfig } from './config';
import { CouponApplicationRepository } from './coupon-grants/coupon-application.repository';
import { CouponGrantsHandler } from './coupon-grants/coupon-grants.handler';
import { Distributor } from './distributor/distributor.entity';
import { DistributorRepository } from './distributor/distributor.repository';
import { DistributorResolver } from './distributor/distributor.resolver';
import { DistributorService } from './distributor/distributor.service';
import { ExpiryScheduler } from './expiry/expiry.scheduler';
import { Client } from './license-key/client.entity';
import { LicenseKey } from './license-key/license-key.entity';
import { LicenseKeyRepository } from './license-key/license-key.repository';
import { LicenseKeyResolver } from './license-key/license-key.resolver';
import { LicenseKeyService } from './license-key/license-key.service';
import { LicenseRecord } from './license/license.entity';
import { LicenseRepository } from './license/license.repository';
import { KeyProductResolver, LicenseResolver } from './license/license.resolver';
import { LicenseService } from './license/license.service';
import { Product } from './product/product.entity';
import { ProductRepository } from './product/product.repository';
import { ProductResolver } from './product/product.resolver';
import { ProductService } from './product/product.service';
import { RegistrationRepository } from './registration/registration.repository';
import { RegistrationResolver } from './registration/registration.resolver';
import { RegistrationService } from './registration/registration.service';
import { Staff } from './staff/staff.entity';
import { StaffRepository } from './staff/staff.repository';
import { StaffResolver } from './staff/staff.resolver';
import { StaffService } from './staff/staff.service';
import { ApiKey } from './vendor/api-key.entity';
import { ApiKeyController } from './vendor/api-key.controller';
import { Vendor } from './vendor/vendor.entity';
import { VendorRepository } from './vendor/vendor.repository';
import { VendorResolver } from './vendor/vendor.resolver';
import { VendorService } from './vendor/vendor.service';

export const KEYS_RESOLVERS = [
  VendorResolver,
  ProductResolver,
  StaffResolver,
  DistributorResolver,
  LicenseKeyResolver,
  LicenseResolver,
  KeyProductResolver,
  RegistrationResolver,
  ClientAccessResolver,
  serviceInfoResolver('keys'),
];

@Module({})
export class KeysAppModule {
  static forRoot(config: KeysConfig): DynamicModule {
    return {
      module: KeysAppModule,
      imports: [
        SubgraphModule.forRoot({
          service: 'keys',
          config,
          entities: [Vendor, ApiKey, Product, Staff, Distributor, Client, LicenseKey, LicenseRecord],
          migrations: keysMigrations,
          healthChecks: [MessagingLifecycle],
        }),
        MessagingModule.forRoot({ service: 'keys', config, handlers: [CouponGrantsHandler] }),
      ],
      controllers: [ApiKeyController],
      providers: [
        ...KEYS_RESOLVERS,
        { provide: KeysConfig, useValue: config },
        FailureThrottle,
        VendorService,
        VendorRepository,
        ProductService,
        ProductRepository,
        StaffService,
        StaffRepository,
        DistributorService,
        DistributorRepository,
        LicenseKeyService,
        LicenseKeyRepository,
        LicenseService,
        LicenseRepository,
        RegistrationService,
        CouponGrantsHandler,
        CouponApplicationRepository,
        RegistrationRepository,
        ClientAccessService,
        ExpiryScheduler,
      ],
    };
  }
}
