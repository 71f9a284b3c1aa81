import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { UuidPipe } from '@licensing/platform';
import { Allow, CurrentIdentity, Identity, requireVendorId } from '@licensing/identity';
import { CreateProductInput, UpdateProductInput } from './dto/create-product.input';
import { Product } from './product.entity';
import { ProductService } from './product.service';

@Resolver(() => Product)
export class ProductResolver {
  constructor(private readonly productService: ProductService) {}

  @Allow('vendor')
  @Mutation(() => Product, {
    description:
      "Adds a product to the caller's vendor catalogue; the code must be new to the vendor (CONFLICT otherwise) and a required product must exist.",
  })
  createProduct(
    @CurrentIdentity() identity: Identity,
    @Args('input', {
      description: "The product's code, name, license model, trial length and optional required product.",
    })
    input: CreateProductInput,
  ): Promise<Product> {
    return this.productService.create(requireVendorId(identity), input);
  }

  @Allow('vendor')
  @Mutation(() => Product, { description: 'Edits a product of the caller’s vendor; announced as product.updated.' })
  updateProduct(
    @CurrentIdentity() identity: Identity,
    @Args('id', { type: () => ID }, UuidPipe) id: string,
    @Args('input') input: UpdateProductInput,
  ): Promise<Product> {
    return this.productService.update(requireVendorId(identity), id, input);
  }

  @Allow('vendor')
  @Query(() => [Product], { description: "The caller vendor's catalogue." })
  products(@CurrentIdentity() identity: Identity): Promise<Product[]> {
    return this.productService.list(requireVendorId(identity));
  }

  @ResolveField(() => Product, { nullable: true, description: 'A product whose license must be active for this one.' })
  requires(@Parent() product: Product): Promise<Product | null> | null {
    return this.productService.requiredBy(product);
  }

  /** Other subgraphs reference products by id; they only hold ids the keys service gave them. */
  @ResolveReference()
  resolveReference(ref: { id: string }): Promise<Product | null> {
    return this.productService.findById(undefined, ref.id);
  }
}
