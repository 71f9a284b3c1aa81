import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { createEvent, ProductCreated } from '@licensing/events';
import { ConflictError, NotFoundError } from '@licensing/graphql';
import { enqueue } from '@licensing/kafka';
import { isUniqueViolation } from '../common/postgres-errors';
import { CreateProductInput } from './dto/create-product.input';
import { Product } from './product.entity';
import { ProductRepository } from './product.repository';

@Injectable()
export class ProductService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly products: ProductRepository,
  ) {}

  list(vendorId: string): Promise<Product[]> {
    return this.products.list(vendorId);
  }

  findById(vendorId: string | undefined, id: string): Promise<Product | null> {
    return this.products.findById(vendorId, id);
  }

  async create(vendorId: string, input: CreateProductInput): Promise<Product> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        let requiresProductId: string | null = null;
        if (input.requiresProductCode) {
          const required = await this.products.findByCode(vendorId, input.requiresProductCode, manager);
          if (!required) throw new NotFoundError(`Product ${input.requiresProductCode}`, 'input.requiresProductCode');
          requiresProductId = required.id;
        }
        const product = await this.products.insert(manager, {
          vendorId,
          code: input.code,
          name: input.name,
          licenseModel: input.licenseModel,
          trialDays: input.trialDays ?? 30,
          requiresProductId,
        });
        await enqueue(
          manager,
          createEvent(ProductCreated, {
            vendorId,
            subject: product.id,
            data: {
              productId: product.id,
              code: product.code,
              name: product.name,
              licenseModel: product.licenseModel,
              trialDays: product.trialDays,
              requiresProductCode: input.requiresProductCode ?? null,
            },
          }),
        );
        return product;
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(`A product with code ${input.code} already exists`, 'input.code');
      }
      throw error;
    }
  }
}
