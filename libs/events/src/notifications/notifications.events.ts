import { IsIn, IsInt, IsOptional, IsString, IsUUID, Min } from 'class-validator';
import { defineEvent } from '../define-event';
import { NOTIFICATION_CHANNELS, NotificationChannel } from '../enums';
import { Topics } from '../topics';

export class NotificationSentData {
  @IsUUID() notificationId!: string;
  @IsIn(NOTIFICATION_CHANNELS) channel!: NotificationChannel;
  /** The event type that caused it, e.g. `key.registered`. */
  @IsString() type!: string;
  @IsString() recipient!: string;
  @IsUUID() causedByEventId!: string;
}

export class WebhookDeliveryFailedData {
  @IsUUID() deliveryId!: string;
  @IsUUID() endpointId!: string;
  @IsUUID() eventId!: string;
  @IsInt() @Min(1) attempts!: number;
  @IsOptional() @IsString() lastError?: string | null;
}

const notificationsEvent = { topic: Topics.notifications, source: 'notifications', dataVersion: 1 } as const;

export const NotificationSent = defineEvent({
  ...notificationsEvent,
  type: 'notification.sent',
  payload: NotificationSentData,
  description: 'An e-mail or webhook delivery succeeded.',
});
export const WebhookDeliveryFailed = defineEvent({
  ...notificationsEvent,
  type: 'webhook.delivery-failed',
  payload: WebhookDeliveryFailedData,
  description: 'A webhook delivery gave up after its retries.',
});
