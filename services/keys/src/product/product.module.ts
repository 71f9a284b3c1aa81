import { Module } from '@nestjs/common';
import { ProductRepository } from './product.repository';
import { ProductResolver } from './product.resolver';
import { ProductService } from './product.service';

/** A vendor's catalogue: products, their license model, trial days and requirements. */
@Module({
  providers: [ProductResolver, ProductService, ProductRepository],
  exports: [ProductService],
})
export class ProductModule {}
