import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { NOTIFICATION_CHANNELS, NotificationChannel } from '@licensing/events';
import { enumOf } from '@licensing/platform';
import { EMAIL_STATUSES, EmailStatus } from './email.entity';

export const NotificationChannelEnum = enumOf(NOTIFICATION_CHANNELS);
registerEnumType(NotificationChannelEnum, {
  name: 'NotificationChannel',
  description: 'How a notification went out.',
  valuesMap: {
    EMAIL: { description: 'An e-mail to the key’s client.' },
    WEBHOOK: { description: 'A signed POST to one of the vendor’s webhook endpoints.' },
  },
});

export const NotificationStatusEnum = enumOf(EMAIL_STATUSES);
registerEnumType(NotificationStatusEnum, {
  name: 'NotificationStatus',
  description: 'Where a notification stands.',
  valuesMap: {
    PENDING: { description: 'Waiting for its first or next attempt (the receiver may be down).' },
    SENDING: { description: 'An attempt is under way.' },
    SENT: { description: 'Accepted by the receiver: the SMTP server, or the webhook endpoint with a 2xx.' },
    FAILED: {
      description: 'Given up after its attempts (or a webhook endpoint answered 410 Gone); lastError says why.',
    },
  },
});

@ObjectType({ description: 'An e-mail or a webhook delivery caused by an event, for the key card and support.' })
export class Notification {
  @Field(() => ID, { description: 'The notification’s id (also the id of its notification.sent event).' })
  id!: string;

  @Field(() => NotificationChannelEnum, { description: 'E-mail or webhook.' })
  channel!: NotificationChannel;

  @Field({ description: 'The type of the event that caused it, e.g. key.registered.' })
  type!: string;

  @Field(() => ID, {
    description:
      'The id of the event that caused it; for a webhook delivery also its webhook-id header. A key letter the ' +
      'vendor asked for (sendKeyLetter) is caused by the key’s key.created event.',
  })
  eventId!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'E-mails: the letter (KEY_LETTER, COUPON_ACTIVATED, LICENSE_EXPIRING, LICENSE_EXPIRED; ' +
      'WEBHOOK_ENDPOINT_DISABLED to the vendor’s owners); null for webhook deliveries.',
  })
  message!: string | null;

  @Field({ description: 'The e-mail address, or the webhook endpoint’s URL.' })
  recipient!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      'Webhooks: the endpoint it went to (webhookDeliveries(endpointId) shows every attempt); null for e-mails.',
  })
  endpointId!: string | null;

  @Field(() => String, { nullable: true, description: 'E-mails: the subject line.' })
  subject!: string | null;

  @Field(() => String, { nullable: true, description: 'The key whose event caused it.' })
  keyCode!: string | null;

  @Field(() => NotificationStatusEnum, {
    description: 'Where it stands; a webhook delivery the endpoint answered 2xx is SENT.',
  })
  status!: EmailStatus;

  @Field(() => Int, { description: 'Attempts made so far.' })
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed; null once sent.' })
  lastError!: string | null;

  @Field({ description: 'When the event caused it.' })
  createdAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description: 'When the receiver accepted it (the SMTP server, or the endpoint’s last 2xx).',
  })
  sentAt!: Date | null;
}
