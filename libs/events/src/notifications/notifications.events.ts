import { IsIn, IsInt, IsOptional, IsString, IsUUID, Min } from 'class-validator';
import { defineEvent } from '../define-event';
import { Describe } from '../describe';
import { EXAMPLE } from '../examples';
import { NOTIFICATION_CHANNELS, NotificationChannel } from '../enums';
import { Topics } from '../topics';

export class NotificationSentData {
  @Describe("Id of the notification in the vendor's notification log.")
  @IsUUID()
  notificationId!: string;
  @Describe("EMAIL for an e-mail, WEBHOOK for a delivery to a vendor's webhook endpoint.")
  @IsIn(NOTIFICATION_CHANNELS)
  channel!: NotificationChannel;
  /** The event type that caused it, e.g. `key.registered`. */
  @Describe('Type of the event that caused it, e.g. key.registered (the key letter) or license.expiring-soon.')
  @IsString()
  type!: string;
  @Describe("Where it went: the e-mail address or the webhook endpoint's URL.")
  @IsString()
  recipient!: string;
  @Describe('Envelope id of the event that caused it.')
  @IsUUID()
  causedByEventId!: string;
}

export class WebhookDeliveryFailedData {
  @Describe('Id of the delivery that gave up.')
  @IsUUID()
  deliveryId!: string;
  @Describe("Id of the vendor's webhook endpoint.")
  @IsUUID()
  endpointId!: string;
  @Describe('Envelope id of the event that could not be delivered.')
  @IsUUID()
  eventId!: string;
  @Describe('How many attempts were made before giving up.')
  @IsInt()
  @Min(1)
  attempts!: number;
  @Describe('What the last attempt got (a status code or a network error); null when unknown.')
  @IsOptional()
  @IsString()
  lastError?: string | null;
}

const notificationsEvent = { topic: Topics.notifications, source: 'notifications', dataVersion: 1 } as const;

export const NotificationSent = defineEvent({
  ...notificationsEvent,
  type: 'notification.sent',
  payload: NotificationSentData,
  description: 'An e-mail or webhook delivery succeeded.',
  subject: 'the license key id when the notification concerns a key, else the vendor id',
  example: {
    id: '8293a4b5-c6d7-4e85-8097-a2b3c4d5e6f7',
    time: '2026-03-02T09:00:05.000Z',
    subject: EXAMPLE.keyId,
    data: {
      notificationId: '93a4b5c6-d7e8-4f96-91a8-b3c4d5e6f708',
      channel: 'EMAIL',
      type: 'key.registered',
      recipient: EXAMPLE.email,
      causedByEventId: '5f607182-93a4-4b52-a3f4-05162738495a',
    },
  },
});
export const WebhookDeliveryFailed = defineEvent({
  ...notificationsEvent,
  type: 'webhook.delivery-failed',
  payload: WebhookDeliveryFailedData,
  description: 'A webhook delivery gave up after its retries.',
  subject: 'the license key id when the notification concerns a key, else the vendor id',
  example: {
    id: 'a4b5c6d7-e8f9-40a7-a2b9-c4d5e6f70819',
    time: '2026-03-02T21:15:00.000Z',
    subject: EXAMPLE.keyId,
    data: {
      deliveryId: 'b5c6d7e8-f90a-41b8-b3ca-d5e6f708192a',
      endpointId: 'c6d7e8f9-0a1b-42c9-84db-e6f708192a3b',
      eventId: '1b2c3d4e-5f60-4718-9920-3b4c5d6e7f80',
      attempts: 8,
      lastError: 'HTTP 503 Service Unavailable',
    },
  },
});
