import { Args, Mutation, Query, Resolver, ResolveReference } from '@nestjs/graphql';
import { Allow, CurrentIdentity, Identity, requireVendorId } from '@licensing/identity';
import { CreateDistributorInput } from './dto/create-distributor.input';
import { Distributor } from './distributor.entity';
import { DistributorService } from './distributor.service';

@Resolver(() => Distributor)
export class DistributorResolver {
  constructor(private readonly distributorService: DistributorService) {}

  @Allow('vendor')
  @Mutation(() => Distributor, {
    description:
      "Adds a distributor to the caller's vendor; its name must be new to the vendor, ignoring case (CONFLICT otherwise).",
  })
  createDistributor(
    @CurrentIdentity() identity: Identity,
    @Args('input', { description: "The distributor's name (unique within the vendor) and e-mail." })
    input: CreateDistributorInput,
  ): Promise<Distributor> {
    return this.distributorService.create(requireVendorId(identity), input);
  }

  @Allow('vendor')
  @Query(() => [Distributor], { description: 'The caller vendor’s distributors.' })
  distributors(@CurrentIdentity() identity: Identity): Promise<Distributor[]> {
    return this.distributorService.list(requireVendorId(identity));
  }

  @ResolveReference()
  resolveReference(ref: { id: string }): Promise<Distributor | null> {
    return this.distributorService.findById(undefined, ref.id);
  }
}
