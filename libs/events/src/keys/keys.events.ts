import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { defineEvent } from '../define-event';
import {
  KEY_ORIGINS,
  KeyOrigin,
  LICENSE_KINDS,
  LICENSE_MODELS,
  LICENSE_SOURCES,
  LicenseKind,
  LicenseModel,
  LicenseSourceType,
} from '../enums';
import { Topics } from '../topics';

export class VendorCreatedData {
  @IsUUID() vendorId!: string;
  @Matches(/^[A-Z]{4}$/) prefix!: string;
  @IsString() name!: string;
}

export class ProductData {
  @IsUUID() productId!: string;
  @IsString() code!: string;
  @IsString() name!: string;
  @IsIn(LICENSE_MODELS) licenseModel!: LicenseModel;
  @IsInt() @Min(0) trialDays!: number;
  @IsOptional() @IsString() requiresProductCode?: string | null;
}

export class DistributorData {
  @IsUUID() distributorId!: string;
  @IsString() name!: string;
}

export class KeyData {
  @IsUUID() keyId!: string;
  @IsString() code!: string;
  @IsUUID() clientId!: string;
  @IsString() company!: string;
  @IsOptional() @IsString() contactName?: string | null;
  @IsOptional() @IsEmail() email?: string | null;
  @IsOptional() @IsUUID() distributorId?: string | null;
  @IsOptional() @IsUUID() managerId?: string | null;
  @IsIn(KEY_ORIGINS) origin!: KeyOrigin;
}

export class KeyDeletedData {
  @IsUUID() keyId!: string;
  @IsString() code!: string;
}

export class LicenseSource {
  @IsIn(LICENSE_SOURCES) type!: LicenseSourceType;
  /** The coupon activation id when type is COUPON. */
  @IsOptional() @IsString() id?: string | null;
}

/** The full current state of one license, so read models can upsert without history. */
export class LicenseStateData {
  @IsUUID() licenseId!: string;
  @IsUUID() keyId!: string;
  @IsString() keyCode!: string;
  @IsUUID() productId!: string;
  @IsString() productCode!: string;
  @IsIn(LICENSE_MODELS) licenseModel!: LicenseModel;
  @IsIn(LICENSE_KINDS) kind!: LicenseKind;
  @IsInt() @Min(0) seats!: number;
  @IsISO8601() startsAt!: string;
  /** null = perpetual. */
  @IsOptional() @IsISO8601() expiresAt?: string | null;
  @IsBoolean() active!: boolean;
  @ValidateNested() @Type(() => LicenseSource) source!: LicenseSource;
}

export class LicenseExpiryData {
  @IsUUID() licenseId!: string;
  @IsUUID() keyId!: string;
  @IsString() keyCode!: string;
  @IsString() productCode!: string;
  @IsIn(LICENSE_KINDS) kind!: LicenseKind;
  @IsISO8601() expiresAt!: string;
  /** Whole days left when the reminder was made (7 or 1); 0 for license.expired. */
  @IsInt() @Min(0) daysLeft!: number;
  @IsOptional() @IsEmail() email?: string | null;
}

export class KeyRegisteredData {
  @IsUUID() keyId!: string;
  @IsString() code!: string;
  @IsString() productCode!: string;
  @IsString() company!: string;
  @IsString() contactName!: string;
  @IsEmail() email!: string;
  @Length(1, 256) hostFingerprint!: string;
  @IsISO8601() trialExpiresAt!: string;
}

export class ApiKeyRevokedData {
  @IsUUID() apiKeyId!: string;
  @IsUUID() vendorId!: string;
  /** The key's first characters, as the vendor's list of keys shows them (never the key). */
  @IsString() prefix!: string;
  @IsISO8601() revokedAt!: string;
}

/**
 * The Redis pub/sub channel on which the keys service also announces `api-key.revoked`
 * (its data, as JSON) after the revocation commits, so every gateway drops the key from its
 * cache before the next request. The outbox event stays the durable record.
 */
export const API_KEY_REVOKED_CHANNEL = 'licensing.api-key.revoked';

const keysEvent = { topic: Topics.keys, source: 'keys', dataVersion: 1 } as const;

export const VendorCreated = defineEvent({
  ...keysEvent,
  type: 'vendor.created',
  payload: VendorCreatedData,
  description: 'A vendor was created by the platform operator.',
});
export const ProductCreated = defineEvent({
  ...keysEvent,
  type: 'product.created',
  payload: ProductData,
  description: 'A product was added to a vendor catalogue.',
});
export const ProductUpdated = defineEvent({
  ...keysEvent,
  type: 'product.updated',
  payload: ProductData,
  description: 'A product changed; the payload is its full current state.',
});
export const DistributorCreated = defineEvent({
  ...keysEvent,
  type: 'distributor.created',
  payload: DistributorData,
  description: 'A distributor (partner) was added to a vendor; coupons and keys refer to it.',
});
export const KeyCreated = defineEvent({
  ...keysEvent,
  type: 'key.created',
  payload: KeyData,
  description: 'A license key was issued, from the cabinet or by self-registration.',
});
export const KeyRegistered = defineEvent({
  ...keysEvent,
  type: 'key.registered',
  payload: KeyRegisteredData,
  description: 'A client registered from an application: the key letter is due to its e-mail.',
});
export const KeyUpdated = defineEvent({
  ...keysEvent,
  type: 'key.updated',
  payload: KeyData,
  description: 'The key card (client, distributor, manager) changed; full current state.',
});
export const KeyDeleted = defineEvent({
  ...keysEvent,
  type: 'key.deleted',
  payload: KeyDeletedData,
  description: 'A key was deleted: its licenses stop counting and its sessions end.',
});
export const LicenseGranted = defineEvent({
  ...keysEvent,
  type: 'license.granted',
  payload: LicenseStateData,
  description: 'A license was added to a key.',
});
export const LicenseChanged = defineEvent({
  ...keysEvent,
  type: 'license.changed',
  payload: LicenseStateData,
  description: 'A license changed term, seats or activity; full current state.',
});
export const LicenseRevoked = defineEvent({
  ...keysEvent,
  type: 'license.revoked',
  payload: LicenseStateData,
  description: 'A license was removed from a key (e.g. a coupon activation rolled back).',
});
export const LicenseExpiringSoon = defineEvent({
  ...keysEvent,
  type: 'license.expiring-soon',
  payload: LicenseExpiryData,
  description: 'A license expires in 7 days or in 1 day; sent once for each.',
});
export const LicenseExpired = defineEvent({
  ...keysEvent,
  type: 'license.expired',
  payload: LicenseExpiryData,
  description: 'A license reached its expiry.',
});
export const ApiKeyRevoked = defineEvent({
  ...keysEvent,
  type: 'api-key.revoked',
  payload: ApiKeyRevokedData,
  description: 'A vendor API key was revoked: every request with it is refused from now on.',
});
