import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { createEvent, ProductCreated, ProductData, ProductUpdated } from '@licensing/events';
import { BadInputError, ConflictError, NotFoundError } from '@licensing/graphql';
import { enqueue } from '@licensing/kafka';
import { isUniqueViolation } from '@licensing/database';
import { CreateProductInput, UpdateProductInput } from './dto/create-product.input';
import { Product } from './product.entity';
import { ProductRepository } from './product.repository';

@Injectable()
export class ProductService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly products: ProductRepository,
  ) {}

  list(vendorId: string): Promise<Product[]> {
    return this.products.findAll(vendorId);
  }

  /** `vendorId` undefined: any vendor's, for federation references. */
  findById(vendorId: string | undefined, id: string, manager?: EntityManager): Promise<Product | null> {
    return this.products.findById(vendorId, id, manager);
  }

  findByCode(vendorId: string, code: string, manager?: EntityManager): Promise<Product | null> {
    return this.products.findByCode(vendorId, code, manager);
  }

  findByIds(vendorId: string, ids: readonly string[], manager?: EntityManager): Promise<Product[]> {
    return this.products.findByIds(vendorId, ids, manager);
  }

  /** The product a product requires, if any. */
  requiredBy(product: Product): Promise<Product | null> | null {
    return product.requiresProductId ? this.products.findById(product.vendorId, product.requiresProductId) : null;
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
        const product = await this.products.insert(
          vendorId,
          {
            code: input.code,
            name: input.name,
            licenseModel: input.licenseModel,
            trialDays: input.trialDays ?? 30,
            requiresProductId,
          },
          manager,
        );
        await enqueue(
          manager,
          createEvent(ProductCreated, {
            vendorId,
            subject: product.id,
            data: productData(product, input.requiresProductCode ?? null),
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

  /**
   * Edits a product and announces its full state (product.updated). A requirement may not
   * lead back to the product itself.
   */
  async update(vendorId: string, id: string, input: UpdateProductInput): Promise<Product> {
    return this.dataSource.transaction(async (manager) => {
      const product = await this.products.findByIdLocked(vendorId, id, manager);
      if (!product) throw new NotFoundError('Product', 'id');
      let requiresProductId = product.requiresProductId;
      if (input.requiresProductCode === null) requiresProductId = null;
      else if (input.requiresProductCode !== undefined) {
        const required = await this.products.findByCode(vendorId, input.requiresProductCode, manager);
        if (!required) throw new NotFoundError(`Product ${input.requiresProductCode}`, 'input.requiresProductCode');
        for (
          let at: Product | null = required;
          at;
          at = at.requiresProductId ? await this.products.findById(vendorId, at.requiresProductId, manager) : null
        ) {
          if (at.id === product.id)
            throw new BadInputError(
              'input.requiresProductCode',
              `${product.code} cannot require a product that requires it`,
            );
        }
        requiresProductId = required.id;
      }
      const updated: Product = {
        ...product,
        name: input.name ?? product.name,
        licenseModel: input.licenseModel ?? product.licenseModel,
        trialDays: input.trialDays ?? product.trialDays,
        requiresProductId,
      };
      await this.products.save(vendorId, updated, manager);
      const required = requiresProductId ? await this.products.findById(vendorId, requiresProductId, manager) : null;
      await enqueue(
        manager,
        createEvent(ProductUpdated, {
          vendorId,
          subject: product.id,
          data: productData(updated, required?.code ?? null),
        }),
      );
      return updated;
    });
  }
}

function productData(product: Product, requiresProductCode: string | null): ProductData {
  return {
    productId: product.id,
    code: product.code,
    name: product.name,
    licenseModel: product.licenseModel,
    trialDays: product.trialDays,
    requiresProductCode,
  };
}
