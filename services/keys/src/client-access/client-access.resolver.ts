import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { Allow, CurrentRequest, RequestContext } from '@licensing/identity';
import { ClientAccessService } from './client-access.service';
import { ClientLoginInput, ClientLoginPayload } from './dto/client-login.inputs';

@Resolver()
export class ClientAccessResolver {
  constructor(private readonly access: ClientAccessService) {}

  @Allow('public')
  @Mutation(() => ClientLoginPayload, {
    description: 'Client cabinet login with a license key or an activated coupon.',
  })
  clientLogin(
    @CurrentRequest() request: RequestContext,
    @Args('input', { description: 'The license key, or a coupon activated on exactly one key, as typed.' })
    input: ClientLoginInput,
  ): Promise<ClientLoginPayload> {
    return this.access.login(input.code, request.clientIp);
  }
}
