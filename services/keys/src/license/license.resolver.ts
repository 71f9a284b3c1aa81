import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Product } from '../product/product.entity';
import { ProductRepository } from '../product/product.repository';
import { KeyProductView, LicenseView } from './license.view';

@Resolver(() => LicenseView)
export class LicenseResolver {
  constructor(private readonly products: ProductRepository) {}

  @ResolveField(() => Product)
  product(@Parent() license: LicenseView): Promise<Product | null> | Product {
    return license.loadedProduct ?? this.products.findById(license.vendorId, license.productId);
  }
}

@Resolver(() => KeyProductView)
export class KeyProductResolver {
  constructor(private readonly products: ProductRepository) {}

  @ResolveField(() => Product)
  product(@Parent() summary: KeyProductView): Promise<Product | null> | Product {
    return summary.loadedProduct ?? this.products.findById(summary.vendorId, summary.productId);
  }
}
