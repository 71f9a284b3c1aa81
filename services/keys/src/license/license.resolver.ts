import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Product } from '../product/product.entity';
import { LicenseService } from './license.service';
import { KeyProductView, LicenseView } from './license.types';

@Resolver(() => LicenseView)
export class LicenseResolver {
  constructor(private readonly licenses: LicenseService) {}

  @ResolveField(() => Product, { description: 'The licensed product.' })
  product(@Parent() license: LicenseView): Promise<Product | null> | Product {
    return this.licenses.productOf(license);
  }
}

@Resolver(() => KeyProductView)
export class KeyProductResolver {
  constructor(private readonly licenses: LicenseService) {}

  @ResolveField(() => Product)
  product(@Parent() summary: KeyProductView): Promise<Product | null> | Product {
    return this.licenses.productOf(summary);
  }
}
