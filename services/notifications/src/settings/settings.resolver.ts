import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow, CurrentIdentity, Identity, requireVendorId } from '@licensing/identity';
import { SettingsService } from './settings.service';
import { NotificationSettings, UpdateNotificationSettingsInput } from './settings.types';

@Resolver(() => NotificationSettings)
export class SettingsResolver {
  constructor(private readonly settings: SettingsService) {}

  @Allow('vendor')
  @Query(() => NotificationSettings, { description: 'The caller vendor’s notification settings.' })
  notificationSettings(@CurrentIdentity() identity: Identity): Promise<NotificationSettings> {
    return this.settings.get(requireVendorId(identity));
  }

  @Allow('vendor-owner')
  @Mutation(() => NotificationSettings, {
    description: 'Sets the language of the e-mails to the vendor’s clients (from the next e-mail on).',
  })
  updateNotificationSettings(
    @CurrentIdentity() identity: Identity,
    @Args('input') input: UpdateNotificationSettingsInput,
  ): Promise<NotificationSettings> {
    return this.settings.update(requireVendorId(identity), input);
  }
}
