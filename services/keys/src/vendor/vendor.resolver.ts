import { Args, Mutation, Query, Resolver, ResolveReference } from '@nestjs/graphql';
import { Allow } from '@licensing/identity';
import { CreateVendorInput, CreateVendorPayload } from './dto/create-vendor.input';
import { Vendor } from './vendor.entity';
import { VendorService } from './vendor.service';

@Resolver(() => Vendor)
export class VendorResolver {
  constructor(private readonly vendorService: VendorService) {}

  @Allow('operator')
  @Mutation(() => CreateVendorPayload, { description: 'Creates a vendor and returns its first API key, once.' })
  createVendor(@Args('input') input: CreateVendorInput): Promise<CreateVendorPayload> {
    return this.vendorService.create(input);
  }

  @Allow('operator')
  @Query(() => [Vendor])
  vendors(): Promise<Vendor[]> {
    return this.vendorService.listAll();
  }

  @ResolveReference()
  resolveReference(ref: { id: string }): Promise<Vendor | null> {
    return this.vendorService.findById(ref.id);
  }
}
