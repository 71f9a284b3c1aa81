import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { Allow, CurrentIdentity, Identity, requireVendorId } from '@licensing/identity';
import { Notification } from '../email/email.types';
import { NotificationService } from './notification.service';

@Resolver(() => Notification)
export class NotificationResolver {
  constructor(private readonly service: NotificationService) {}

  @Allow('vendor')
  @Query(() => [Notification], {
    description:
      'E-mails and webhook deliveries caused by the caller vendor’s events, newest first (first: 1 to 200, ' +
      'default 50); only those of one key’s events when keyCode is given. Test pings are not listed.',
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
    return this.service.list(requireVendorId(identity), keyCode, first ?? undefined);
  }
}
