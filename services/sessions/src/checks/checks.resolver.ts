import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow, CurrentIdentity, Identity, requireVendorId } from '@licensing/identity';
import { ChecksService } from './checks.service';
import { LicenseCheckView } from './checks.types';
import { CheckLicenseInput } from './dto/check-license.input';

@Resolver(() => LicenseCheckView)
export class ChecksResolver {
  constructor(private readonly checksService: ChecksService) {}

  @Allow('application')
  @Mutation(() => LicenseCheckView, {
    description:
      'Whether a product is in force on a key, recorded under a new request id. The key is the credential. ' +
      'NOT_FOUND for an unknown key or a product its vendor does not have.',
  })
  checkLicense(
    @Args('input', { description: 'The key as typed and the product to check.' }) input: CheckLicenseInput,
  ): Promise<LicenseCheckView> {
    return this.checksService.check(input);
  }

  @Allow('vendor')
  @Query(() => LicenseCheckView, { description: 'A check of one of the caller vendor’s keys, by its request id.' })
  licenseCheck(
    @CurrentIdentity() identity: Identity,
    @Args('requestId', { type: () => ID, description: 'The Request ID the customer copied from the application.' })
    requestId: string,
  ): Promise<LicenseCheckView> {
    return this.checksService.findById(requireVendorId(identity), requestId);
  }
}
