/** Domain vocabularies that appear in events, and therefore in the partner contract. */
export const LICENSE_MODELS = ['HOST_BINDING', 'CONCURRENT_SESSIONS', 'CONCURRENT_HOSTS'] as const;
export type LicenseModel = (typeof LICENSE_MODELS)[number];

export const LICENSE_KINDS = ['TRIAL', 'MAIN', 'ADDITIONAL'] as const;
export type LicenseKind = (typeof LICENSE_KINDS)[number];

export const LICENSE_SOURCES = ['REGISTRATION', 'TRIAL', 'COUPON', 'MANUAL'] as const;
export type LicenseSourceType = (typeof LICENSE_SOURCES)[number];

export const COUPON_TYPES = ['ADD_PRODUCT', 'EXTEND_TRIAL', 'UPGRADE'] as const;
export type CouponType = (typeof COUPON_TYPES)[number];

export const ACTIVATION_CHANNELS = ['APPLICATION', 'CLIENT_CABINET', 'VENDOR_CABINET'] as const;
export type ActivationChannel = (typeof ACTIVATION_CHANNELS)[number];

/** OWNER: everything in the vendor cabinet, and the address of the vendor's operational e-mails. */
export const STAFF_ROLES = ['OWNER', 'MANAGER'] as const;
export type StaffRoleName = (typeof STAFF_ROLES)[number];

export const KEY_ORIGINS = ['REGISTRATION', 'CABINET'] as const;
export type KeyOrigin = (typeof KEY_ORIGINS)[number];

/**
 * LICENSE_INACTIVE: the key no longer has a license of the product in force (expired, revoked...).
 * SEATS_REDUCED: the seats in force fell below the holders; the newest sessions over the count end.
 */
export const SESSION_END_REASONS = [
  'RELEASED',
  'EXPIRED',
  'TERMINATED',
  'KEY_DELETED',
  'LICENSE_INACTIVE',
  'SEATS_REDUCED',
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

export const NOTIFICATION_CHANNELS = ['EMAIL', 'WEBHOOK'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
