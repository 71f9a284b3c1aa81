import { Args, ID, Mutation, Resolver } from '@nestjs/graphql';
import { Allow, CurrentIdentity, Identity, requireVendorId } from '@licensing/identity';
import { UuidPipe } from '@licensing/platform';
import { EmailService } from './email.service';
import { Notification } from './email.types';

@Resolver(() => Notification)
export class EmailResolver {
  constructor(private readonly emails: EmailService) {}

  @Allow('vendor')
  @Mutation(() => Notification, {
    description:
      'E-mails the key letter to the key’s client (a key issued in the cabinet gets none by itself). Once per ' +
      'key and address: asking again answers the letter already sent or on its way.',
  })
  sendKeyLetter(
    @CurrentIdentity() identity: Identity,
    @Args('keyId', { type: () => ID, description: 'The key whose client gets the letter.' }, UuidPipe) keyId: string,
  ): Promise<Notification> {
    return this.emails.sendKeyLetter(requireVendorId(identity), keyId);
  }
}
