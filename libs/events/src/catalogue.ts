import { CouponActivated, CouponBatchGenerated, CouponDeactivated } from './coupons/coupons.events';
import { EventDefinition } from './define-event';
import {
  ApiKeyRevoked,
  DistributorCreated,
  KeyCreated,
  KeyDeleted,
  KeyRegistered,
  KeyUpdated,
  LicenseChanged,
  LicenseExpired,
  LicenseExpiringSoon,
  LicenseGranted,
  LicenseRevoked,
  ProductCreated,
  ProductUpdated,
  StaffCreated,
  VendorCreated,
} from './keys/keys.events';
import { NotificationSent, WebhookDeliveryFailed } from './notifications/notifications.events';
import { BindingCreated, BindingReset, LicenseChecked, SessionEnded, SessionStarted } from './sessions/sessions.events';

/** Every event type the platform publishes. The AsyncAPI catalogue is generated from this list. */
export const EVENT_CATALOGUE: readonly EventDefinition[] = [
  VendorCreated,
  StaffCreated,
  ApiKeyRevoked,
  ProductCreated,
  ProductUpdated,
  DistributorCreated,
  KeyCreated,
  KeyRegistered,
  KeyUpdated,
  KeyDeleted,
  LicenseGranted,
  LicenseChanged,
  LicenseRevoked,
  LicenseExpiringSoon,
  LicenseExpired,
  CouponBatchGenerated,
  CouponActivated,
  CouponDeactivated,
  BindingCreated,
  BindingReset,
  SessionStarted,
  SessionEnded,
  LicenseChecked,
  NotificationSent,
  WebhookDeliveryFailed,
];

const byType = new Map(EVENT_CATALOGUE.map((d) => [d.type, d]));
if (byType.size !== EVENT_CATALOGUE.length) throw new Error('Duplicate event type in EVENT_CATALOGUE');

export function findEventDefinition(type: string): EventDefinition | undefined {
  return byType.get(type);
}
