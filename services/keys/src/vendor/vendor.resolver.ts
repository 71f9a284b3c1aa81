import { Args, ID, Mutation, Query, Resolver, ResolveReference } from '@nestjs/graphql';
import { UuidPipe } from '@licensing/platform';
import { BadInputError, ForbiddenError } from '@licensing/graphql';
import { Allow, CurrentIdentity, Identity, requireVendorId, vendorScope } from '@licensing/identity';
import { ApiKey } from './api-key.entity';
import { CreateVendorInput, CreateVendorPayload } from './dto/create-vendor.input';
import { Vendor } from './vendor.entity';
import { VendorService } from './vendor.service';

@Resolver(() => Vendor)
export class VendorResolver {
  constructor(private readonly vendorService: VendorService) {}

  @Allow('operator')
  @Mutation(() => CreateVendorPayload, { description: 'Creates a vendor and returns its first API key, once.' })
  createVendor(
    @Args('input', { description: "The vendor's prefix (four letters, unique on the platform) and name." })
    input: CreateVendorInput,
  ): Promise<CreateVendorPayload> {
    return this.vendorService.create(input);
  }

  @Allow('operator', 'vendor-owner')
  @Mutation(() => String, {
    description: 'Issues another API key of the vendor (shown only here). Owners issue keys of their own vendor.',
  })
  createApiKey(
    @CurrentIdentity() identity: Identity,
    @Args('vendorId', { type: () => ID }, UuidPipe) vendorId: string,
  ): Promise<string> {
    if (identity.kind !== 'operator' && requireVendorId(identity) !== vendorId) {
      throw new ForbiddenError('API keys are issued only for your own vendor');
    }
    return this.vendorService.createApiKey(vendorId);
  }

  @Allow('operator', 'vendor-owner')
  @Query(() => [ApiKey], {
    description:
      'The vendor’s API keys, revoked ones too, oldest first: prefixes and dates, never a key. Owners list their ' +
      'own vendor’s (vendorId may be left out); the operator names the vendor.',
  })
  apiKeys(
    @CurrentIdentity() identity: Identity,
    @Args('vendorId', { type: () => ID, nullable: true }, UuidPipe) vendorId?: string | null,
  ): Promise<ApiKey[]> {
    if (identity.kind === 'operator') {
      if (!vendorId) throw new BadInputError('vendorId', 'vendorId is required for the operator');
      return this.vendorService.listApiKeys(vendorId);
    }
    const own = requireVendorId(identity);
    if (vendorId && vendorId !== own) throw new ForbiddenError('API keys are listed only for your own vendor');
    return this.vendorService.listApiKeys(own);
  }

  @Allow('operator', 'vendor-owner')
  @Mutation(() => ApiKey, {
    description:
      'Revokes an API key: the next request with it is refused. Owners revoke their own vendor’s keys, the ' +
      'operator any. Revoking a revoked key changes nothing.',
  })
  revokeApiKey(
    @CurrentIdentity() identity: Identity,
    @Args('id', { type: () => ID }, UuidPipe) id: string,
  ): Promise<ApiKey> {
    return this.vendorService.revokeApiKey(vendorScope(identity), id);
  }

  @Allow('operator')
  @Query(() => [Vendor], { description: 'Every vendor on the platform, for the operator.' })
  vendors(): Promise<Vendor[]> {
    return this.vendorService.listAll();
  }

  @ResolveReference()
  resolveReference(ref: { id: string }): Promise<Vendor | null> {
    return this.vendorService.findById(ref.id);
  }
}
