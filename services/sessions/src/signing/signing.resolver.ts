import { Query, Resolver } from '@nestjs/graphql';
import { Allow, CurrentIdentity, Identity, requireVendorId } from '@licensing/identity';
import { SigningService } from './signing.service';
import { SigningKeySet } from './signing.types';

@Resolver()
export class SigningResolver {
  constructor(private readonly signingService: SigningService) {}

  @Allow('vendor')
  @Query(() => SigningKeySet, {
    description:
      'The caller vendor’s public signing keys (its JWKS): what verifies the acquire `token` and the check ' +
      '`signature` offline. The same document is served without a token at GET /runtime/v1/jwks/{vendorPrefix}.',
  })
  signingKeys(@CurrentIdentity() identity: Identity): Promise<SigningKeySet> {
    return this.signingService.keySet(requireVendorId(identity));
  }
}
