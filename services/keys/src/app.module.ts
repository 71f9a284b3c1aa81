import { DynamicModule, Module } from '@nestjs/common';
import { MessagingLifecycle, MessagingModule, serviceInfoResolver, SubgraphModule } from '@licensing/platform';
import { keysMigrations } from '../database/migrations';
import { KeysConfig } from './config';
import { Product } from './product/product.entity';
import { ProductRepository } from './product/product.repository';
import { ProductResolver } from './product/product.resolver';
import { ProductService } from './product/product.service';
import { ApiKey } from './vendor/api-key.entity';
import { ApiKeyController } from './vendor/api-key.controller';
import { Vendor } from './vendor/vendor.entity';
import { VendorRepository } from './vendor/vendor.repository';
import { VendorResolver } from './vendor/vendor.resolver';
import { VendorService } from './vendor/vendor.service';

export const KEYS_RESOLVERS = [VendorResolver, ProductResolver, serviceInfoResolver('keys')];

@Module({})
export class KeysAppModule {
  static forRoot(config: KeysConfig): DynamicModule {
    return {
      module: KeysAppModule,
      imports: [
        SubgraphModule.forRoot({
          service: 'keys',
          config,
          entities: [Vendor, ApiKey, Product],
          migrations: keysMigrations,
          healthChecks: [MessagingLifecycle],
        }),
        MessagingModule.forRoot({ service: 'keys', config }),
      ],
      controllers: [ApiKeyController],
      providers: [
        ...KEYS_RESOLVERS,
        VendorService,
        VendorRepository,
        ProductService,
        ProductRepository,
        { provide: KeysConfig, useValue: config },
      ],
    };
  }
}
