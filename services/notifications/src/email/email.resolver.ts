import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow, CurrentIdentity, Identity, requireVendorId } from '@licensing/identity';
import { UuidPipe } from '@licensing/platform';
import { EmailService } from './email.service';
import { Notification } from './email.types';

@Resolver(() => Notification)
export class EmailResolver {
  constructor(private readonly emails: EmailService) {}

  @Allow('vendor')
  @Query(() => [Notification], {
    description:
      'E-mails caused by the caller vendor’s events, newest first (first: 1 to 200, default 50); only those ' +
      'of one key when keyCode is given.',
  })
  notifications(
    @CurrentIdentity() identity: Identity,
    @Args('keyCode', {
      type: () => String,
      nullable: true,
      description: 'Only the notifications of this key (the code as typed: any case, spaces, missing dashes).',
    })
    keyCode?: string | null,
    @Args('first', { type: () => Int, nullable: true, description: 'How many, 1 to 200; 50 by default.' })
    first?: number | null,
  ): Promise<Notification[]> {
    return this.emails.list(requireVendorId(identity), keyCode, first ?? undefined);
  }

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
