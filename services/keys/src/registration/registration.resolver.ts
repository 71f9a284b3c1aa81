import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { Allow, CurrentIdentity, Identity } from '@licensing/identity';
import { LicenseView } from '../license/license.types';
import { ActivateTrialInput, RegisterInput, RegisterPayload } from './dto/registration.inputs';
import { RegistrationService } from './registration.service';

@Resolver()
export class RegistrationResolver {
  constructor(private readonly registrations: RegistrationService) {}

  @Allow('application')
  @Mutation(() => RegisterPayload, {
    description:
      'Self-registration from an application: a new key with a trial of the product. Errors 1059, 2051, 2022.',
  })
  register(
    @Args('input', { description: 'Who the client is, the product to register for and the computer registering.' })
    input: RegisterInput,
  ): Promise<RegisterPayload> {
    return this.registrations.register(input);
  }

  @Allow('application', 'client', 'vendor')
  @Mutation(() => LicenseView, { description: 'A trial of a product on an existing key; once per key and product.' })
  activateTrial(
    @CurrentIdentity() identity: Identity,
    @Args('input', { description: 'The key as typed and the product to try.' }) input: ActivateTrialInput,
  ): Promise<LicenseView> {
    return this.registrations.activateTrial(identity, input);
  }
}
