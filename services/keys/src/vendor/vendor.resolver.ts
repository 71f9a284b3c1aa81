import { Args, ID, Mutation, Query, Resolver, ResolveReference } from '@nestjs/graphql';
import { ForbiddenError } from '@licensing/graphql';
import { Allow, CurrentIdentity, Identity, requireVendorId } from '@licensing/identity';
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

  @Allow('operator', 'vendor-owner')
  @Mutation(() => String, {
    description: 'Issues another API key of the vendor (shown only here). Owners issue keys of their own vendor.',
  })
  createApiKey(
    @CurrentIdentity() identity: Identity,
    @Args('vendorId', { type: () => ID }) vendorId: string,
  ): Promise<string> {
    if (identity.kind !== 'operator' && requireVendorId(identity) !== vendorId) {
      throw new ForbiddenError('API keys are issued only for your own vendor');
    }
    return this.vendorService.createApiKey(vendorId);
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
