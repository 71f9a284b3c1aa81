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
import { Describe } from '../describe';
import { EXAMPLE } from '../examples';
import {
  KEY_ORIGINS,
  KeyOrigin,
  LICENSE_KINDS,
  LICENSE_MODELS,
  LICENSE_SOURCES,
  LicenseKind,
  LicenseModel,
  LicenseSourceType,
  STAFF_ROLES,
  StaffRoleName,
} from '../enums';
import { Topics } from '../topics';

export class VendorCreatedData {
  @Describe("Id of the new vendor; every later event of this vendor carries it as the envelope's vendorId.")
  @IsUUID()
  vendorId!: string;
  @Describe(
    "The vendor's four Latin letters, upper case, unique on the platform and never changed; every key and coupon code of the vendor starts with them.",
  )
  @Matches(/^[A-Z]{4}$/)
  prefix!: string;
  @Describe("The vendor's name as the operator entered it.")
  @IsString()
  name!: string;
}

export class ProductData {
  @Describe('Id of the product; it stays the same when the product changes.')
  @IsUUID()
  productId!: string;
  @Describe(
    "The vendor's code for the product (letters, digits, '-' and '_', up to 40), unique within the vendor and matched exactly, case included; applications and coupons name the product by it.",
  )
  @IsString()
  code!: string;
  @Describe("The product's name as the vendor shows it.")
  @IsString()
  name!: string;
  @Describe(
    'How seats are counted: HOST_BINDING, one seat per bound computer until a cabinet resets the binding; CONCURRENT_SESSIONS, one seat per live session; CONCURRENT_HOSTS, one seat per computer with live sessions.',
  )
  @IsIn(LICENSE_MODELS)
  licenseModel!: LicenseModel;
  @Describe('Length in days of a trial of this product; a change applies only to trials issued afterwards.')
  @IsInt()
  @Min(0)
  trialDays!: number;
  @Describe(
    'Code of the product whose license must be in force for a license of this product to be in force (a module that needs its platform); null when it needs none.',
  )
  @IsOptional()
  @IsString()
  requiresProductCode?: string | null;
}

export class DistributorData {
  @Describe('Id of the distributor; keys, coupon batches and statistics refer to it.')
  @IsUUID()
  distributorId!: string;
  @Describe("The distributor's name, unique within the vendor ignoring case.")
  @IsString()
  name!: string;
}

export class KeyData {
  @Describe('Id of the license key; it is also the subject (message key) of every event about the key.')
  @IsUUID()
  keyId!: string;
  @Describe(
    'The license key as the client types it: the vendor prefix and four groups of five characters (PPPP-XXXXX-XXXXX-XXXXX-XXXXX).',
  )
  @IsString()
  code!: string;
  @Describe(
    'Id of the client (the customer company) the key belongs to; a client may hold several keys, and a key may move to another client.',
  )
  @IsUUID()
  clientId!: string;
  @Describe("The client's company name.")
  @IsString()
  company!: string;
  @Describe("The client's contact person; null when none was given.")
  @IsOptional()
  @IsString()
  contactName?: string | null;
  @Describe("The client's e-mail address, lower case; null when none was given.")
  @IsOptional()
  @IsEmail()
  email?: string | null;
  @Describe('The distributor the client buys through; null when none.')
  @IsOptional()
  @IsUUID()
  distributorId?: string | null;
  @Describe("Id of the vendor's staff member responsible for the client; null when none.")
  @IsOptional()
  @IsUUID()
  managerId?: string | null;
  @Describe(
    "How the key came to be: CABINET, issued by the vendor's staff or API; REGISTRATION, self-registered from an application together with a trial.",
  )
  @IsIn(KEY_ORIGINS)
  origin!: KeyOrigin;
}

export class KeyDeletedData {
  @Describe('Id of the deleted key; it no longer appears anywhere and its licenses stop counting.')
  @IsUUID()
  keyId!: string;
  @Describe('Code of the deleted key.')
  @IsString()
  code!: string;
}

export class LicenseSource {
  @Describe(
    'What created the license: REGISTRATION, the trial that came with a self-registration; TRIAL, a trial asked for with an existing key; COUPON, a coupon activation; MANUAL, entered by hand (not offered yet).',
  )
  @IsIn(LICENSE_SOURCES)
  type!: LicenseSourceType;
  /** The coupon activation id when type is COUPON. */
  @Describe('The coupon activation id when type is COUPON (the activation a rollback would undo); null otherwise.')
  @IsOptional()
  @IsString()
  id?: string | null;
}

/** The full current state of one license, so read models can upsert without history. */
export class LicenseStateData {
  @Describe('Id of the license.')
  @IsUUID()
  licenseId!: string;
  @Describe('Id of the key that holds the license.')
  @IsUUID()
  keyId!: string;
  @Describe('Code of the key that holds the license.')
  @IsString()
  keyCode!: string;
  @Describe('Id of the licensed product.')
  @IsUUID()
  productId!: string;
  @Describe('Code of the licensed product.')
  @IsString()
  productCode!: string;
  @Describe("The product's license model when the event was written (see product.updated for changes).")
  @IsIn(LICENSE_MODELS)
  licenseModel!: LicenseModel;
  @Describe(
    "TRIAL: one seat, never added to others, not in force while a MAIN of the product is; MAIN: carries the product's seats; ADDITIONAL: adds its seats only while a MAIN of the product is in force.",
  )
  @IsIn(LICENSE_KINDS)
  kind!: LicenseKind;
  @Describe("Seats the license carries: computers or sessions, by the product's license model.")
  @IsInt()
  @Min(0)
  seats!: number;
  @Describe('Start of the term (ISO 8601, UTC).')
  @IsISO8601()
  startsAt!: string;
  /** null = perpetual. */
  @Describe('End of the term (ISO 8601, UTC); null for a perpetual license.')
  @IsOptional()
  @IsISO8601()
  expiresAt?: string | null;
  @Describe(
    'The stored status: false once the license was switched off (replaced by an upgrade, a trial retired by a MAIN, rolled back). Being in force also needs the term to cover now and the kind and required-product rules to hold.',
  )
  @IsBoolean()
  active!: boolean;
  @Describe('What created the license, with the coupon activation when a coupon did.')
  @ValidateNested()
  @Type(() => LicenseSource)
  source!: LicenseSource;
}

export class LicenseExpiryData {
  @Describe('Id of the license that is about to end or has ended.')
  @IsUUID()
  licenseId!: string;
  @Describe('Id of the key that holds the license.')
  @IsUUID()
  keyId!: string;
  @Describe('Code of the key that holds the license.')
  @IsString()
  keyCode!: string;
  @Describe('Code of the licensed product.')
  @IsString()
  productCode!: string;
  @Describe('Kind of the license: TRIAL, MAIN or ADDITIONAL.')
  @IsIn(LICENSE_KINDS)
  kind!: LicenseKind;
  @Describe('When the license ends (ISO 8601, UTC).')
  @IsISO8601()
  expiresAt!: string;
  /** Whole days left when the reminder was made (7 or 1); 0 for license.expired. */
  @Describe(
    'Whole days left, rounded up: 2 to 7 for the first license.expiring-soon, 1 for the last one, 0 for license.expired.',
  )
  @IsInt()
  @Min(0)
  daysLeft!: number;
  @Describe("The client's e-mail address, where a reminder goes; null when the client has none.")
  @IsOptional()
  @IsEmail()
  email?: string | null;
}

export class KeyRegisteredData {
  @Describe('Id of the key the registration created.')
  @IsUUID()
  keyId!: string;
  @Describe('The new license key; the key letter sends it to the client, who should keep it.')
  @IsString()
  code!: string;
  @Describe('Code of the product the application registered for; the key got a trial of it.')
  @IsString()
  productCode!: string;
  @Describe("The registering client's company name.")
  @IsString()
  company!: string;
  @Describe("The registering client's contact person.")
  @IsString()
  contactName!: string;
  @Describe("The client's e-mail address, lower case; the key letter goes there.")
  @IsEmail()
  email!: string;
  @Describe(
    'Fingerprint of the computer that registered, as the application computed it; the same computer cannot register again.',
  )
  @Length(1, 256)
  hostFingerprint!: string;
  @Describe('When the trial that came with the registration ends (ISO 8601, UTC).')
  @IsISO8601()
  trialExpiresAt!: string;
}

export class StaffCreatedData {
  @Describe("Id of the new staff member; a key's managerId refers to it.")
  @IsUUID()
  staffId!: string;
  @Describe(
    "The staff member's e-mail address, lower case (also the cabinet login). An OWNER's address gets the vendor's operational e-mails, e.g. a webhook endpoint disabled.",
  )
  @IsEmail()
  email!: string;
  @Describe("The staff member's name as the cabinet shows it.")
  @IsString()
  name!: string;
  @Describe('OWNER (everything in the cabinet, API keys and staff) or MANAGER (keys, clients, coupons).')
  @IsIn(STAFF_ROLES)
  role!: StaffRoleName;
}

export class ApiKeyRevokedData {
  @Describe('Id of the revoked vendor API key; gateways refuse the key from now on.')
  @IsUUID()
  apiKeyId!: string;
  @Describe('Id of the vendor the key belonged to.')
  @IsUUID()
  vendorId!: string;
  /** The key's first characters, as the vendor's list of keys shows them (never the key). */
  @Describe("The key's first characters, as the vendor's list of API keys shows them; never the key itself.")
  @IsString()
  prefix!: string;
  @Describe('When the key was revoked (ISO 8601, UTC).')
  @IsISO8601()
  revokedAt!: string;
}

/**
 * The Redis pub/sub channel on which the keys service also announces `api-key.revoked`
 * (its data, as JSON) after the revocation commits, so every gateway drops the key from its
 * cache before the next request. The outbox event stays the durable record.
 */
export const API_KEY_REVOKED_CHANNEL = 'licensing.api-key.revoked';

const keyData: KeyData = {
  keyId: EXAMPLE.keyId,
  code: EXAMPLE.keyCode,
  clientId: EXAMPLE.clientId,
  company: EXAMPLE.company,
  contactName: EXAMPLE.contactName,
  email: EXAMPLE.email,
  distributorId: EXAMPLE.distributorId,
  managerId: null,
  origin: 'CABINET',
};

const licenseState: LicenseStateData = {
  licenseId: EXAMPLE.licenseId,
  keyId: EXAMPLE.keyId,
  keyCode: EXAMPLE.keyCode,
  productId: EXAMPLE.productId,
  productCode: EXAMPLE.productCode,
  licenseModel: 'HOST_BINDING',
  kind: 'MAIN',
  seats: 5,
  startsAt: '2026-03-02T09:15:00.000Z',
  expiresAt: '2027-03-02T09:15:00.000Z',
  active: true,
  source: { type: 'COUPON', id: EXAMPLE.activationId },
};

const SUBJECT_KEY = 'the license key id';

const keysEvent = { topic: Topics.keys, source: 'keys', dataVersion: 1 } as const;

export const VendorCreated = defineEvent({
  ...keysEvent,
  type: 'vendor.created',
  payload: VendorCreatedData,
  description: 'A vendor was created by the platform operator.',
  subject: 'the vendor id',
  example: {
    id: '6a1f0c2e-8b3d-4e5f-9a6b-7c8d9e0f1a2b',
    time: '2026-01-12T08:00:00.000Z',
    subject: EXAMPLE.vendorId,
    data: { vendorId: EXAMPLE.vendorId, prefix: EXAMPLE.vendorPrefix, name: 'Demo Software' },
  },
});
export const ProductCreated = defineEvent({
  ...keysEvent,
  type: 'product.created',
  payload: ProductData,
  description: 'A product was added to a vendor catalogue.',
  subject: 'the product id',
  example: {
    id: '1b2c3d4e-5f60-4718-a9b0-c1d2e3f40516',
    time: '2026-01-12T08:05:00.000Z',
    subject: EXAMPLE.moduleProductId,
    data: {
      productId: EXAMPLE.moduleProductId,
      code: EXAMPLE.moduleProductCode,
      name: 'PBX CRM connector',
      licenseModel: 'CONCURRENT_SESSIONS',
      trialDays: 30,
      requiresProductCode: EXAMPLE.productCode,
    },
  },
});
export const ProductUpdated = defineEvent({
  ...keysEvent,
  type: 'product.updated',
  payload: ProductData,
  description: 'A product changed; the payload is its full current state.',
  subject: 'the product id',
  example: {
    id: '2c3d4e5f-6071-4829-b0c1-d2e3f4051627',
    time: '2026-02-01T10:00:00.000Z',
    subject: EXAMPLE.productId,
    data: {
      productId: EXAMPLE.productId,
      code: EXAMPLE.productCode,
      name: 'PBX Server',
      licenseModel: 'HOST_BINDING',
      trialDays: 14,
      requiresProductCode: null,
    },
  },
});
export const DistributorCreated = defineEvent({
  ...keysEvent,
  type: 'distributor.created',
  payload: DistributorData,
  description: 'A distributor (partner) was added to a vendor; coupons and keys refer to it.',
  subject: 'the distributor id',
  example: {
    id: '3d4e5f60-7182-4930-81d2-e3f405162738',
    time: '2026-01-12T08:10:00.000Z',
    subject: EXAMPLE.distributorId,
    data: { distributorId: EXAMPLE.distributorId, name: 'Softline Partners' },
  },
});
export const KeyCreated = defineEvent({
  ...keysEvent,
  type: 'key.created',
  payload: KeyData,
  description: 'A license key was issued, from the cabinet or by self-registration.',
  subject: SUBJECT_KEY,
  example: {
    id: '4e5f6071-8293-4a41-92e3-f40516273849',
    time: '2026-03-02T09:00:00.000Z',
    subject: EXAMPLE.keyId,
    data: keyData,
  },
});
export const KeyRegistered = defineEvent({
  ...keysEvent,
  type: 'key.registered',
  payload: KeyRegisteredData,
  description: 'A client registered from an application: the key letter is due to its e-mail.',
  subject: SUBJECT_KEY,
  example: {
    id: '5f607182-93a4-4b52-a3f4-05162738495a',
    time: '2026-03-02T09:00:00.000Z',
    subject: EXAMPLE.keyId,
    data: {
      keyId: EXAMPLE.keyId,
      code: EXAMPLE.keyCode,
      productCode: EXAMPLE.productCode,
      company: EXAMPLE.company,
      contactName: EXAMPLE.contactName,
      email: EXAMPLE.email,
      hostFingerprint: EXAMPLE.hostFingerprint,
      trialExpiresAt: '2026-04-01T09:00:00.000Z',
    },
  },
});
export const KeyUpdated = defineEvent({
  ...keysEvent,
  type: 'key.updated',
  payload: KeyData,
  description: 'The key card (client, distributor, manager) changed; full current state.',
  subject: SUBJECT_KEY,
  example: {
    id: '60718293-a4b5-4c63-b405-162738495a6b',
    time: '2026-03-05T14:30:00.000Z',
    subject: EXAMPLE.keyId,
    data: { ...keyData, managerId: EXAMPLE.managerId },
  },
});
export const KeyDeleted = defineEvent({
  ...keysEvent,
  type: 'key.deleted',
  payload: KeyDeletedData,
  description: 'A key was deleted: its licenses stop counting and its sessions end.',
  subject: SUBJECT_KEY,
  example: {
    id: '718293a4-b5c6-4d74-8516-2738495a6b7c',
    time: '2026-06-30T16:45:00.000Z',
    subject: EXAMPLE.keyId,
    data: { keyId: EXAMPLE.keyId, code: EXAMPLE.keyCode },
  },
});
export const LicenseGranted = defineEvent({
  ...keysEvent,
  type: 'license.granted',
  payload: LicenseStateData,
  description: 'A license was added to a key.',
  subject: SUBJECT_KEY,
  example: {
    id: '8293a4b5-c6d7-4e85-9627-38495a6b7c8d',
    time: '2026-03-02T09:15:01.000Z',
    subject: EXAMPLE.keyId,
    data: licenseState,
  },
});
export const LicenseChanged = defineEvent({
  ...keysEvent,
  type: 'license.changed',
  payload: LicenseStateData,
  description: 'A license changed term, seats or activity; full current state.',
  subject: SUBJECT_KEY,
  example: {
    id: '93a4b5c6-d7e8-4f96-a738-495a6b7c8d9e',
    time: '2026-05-10T11:20:00.000Z',
    subject: EXAMPLE.keyId,
    data: { ...licenseState, seats: 10 },
  },
});
export const LicenseRevoked = defineEvent({
  ...keysEvent,
  type: 'license.revoked',
  payload: LicenseStateData,
  description: 'A license was removed from a key (e.g. a coupon activation rolled back).',
  subject: SUBJECT_KEY,
  example: {
    id: 'a4b5c6d7-e8f9-40a7-b849-5a6b7c8d9eaf',
    time: '2026-03-03T08:00:00.000Z',
    subject: EXAMPLE.keyId,
    data: { ...licenseState, active: false },
  },
});
export const LicenseExpiringSoon = defineEvent({
  ...keysEvent,
  type: 'license.expiring-soon',
  payload: LicenseExpiryData,
  description: 'A license expires in 7 days or in 1 day; sent once for each.',
  subject: SUBJECT_KEY,
  example: {
    id: 'b5c6d7e8-f90a-41b8-895a-6b7c8d9eafb0',
    time: '2027-02-23T09:16:00.000Z',
    subject: EXAMPLE.keyId,
    data: {
      licenseId: EXAMPLE.licenseId,
      keyId: EXAMPLE.keyId,
      keyCode: EXAMPLE.keyCode,
      productCode: EXAMPLE.productCode,
      kind: 'MAIN',
      expiresAt: '2027-03-02T09:15:00.000Z',
      daysLeft: 7,
      email: EXAMPLE.email,
    },
  },
});
export const LicenseExpired = defineEvent({
  ...keysEvent,
  type: 'license.expired',
  payload: LicenseExpiryData,
  description: 'A license reached its expiry.',
  subject: SUBJECT_KEY,
  example: {
    id: 'c6d7e8f9-0a1b-42c9-9a6b-7c8d9eafb0c1',
    time: '2027-03-02T09:15:30.000Z',
    subject: EXAMPLE.keyId,
    data: {
      licenseId: EXAMPLE.licenseId,
      keyId: EXAMPLE.keyId,
      keyCode: EXAMPLE.keyCode,
      productCode: EXAMPLE.productCode,
      kind: 'MAIN',
      expiresAt: '2027-03-02T09:15:00.000Z',
      daysLeft: 0,
      email: EXAMPLE.email,
    },
  },
});
export const StaffCreated = defineEvent({
  ...keysEvent,
  type: 'staff.created',
  payload: StaffCreatedData,
  description:
    "A staff member was added to a vendor's cabinet (never the password). Owners' addresses are where the platform writes to the vendor.",
  subject: 'the staff member id',
  example: {
    id: '2e3f4a5b-6c7d-48e9-9fa0-b1c2d3e4f5a6',
    time: '2026-01-12T08:02:00.000Z',
    subject: EXAMPLE.managerId,
    data: { staffId: EXAMPLE.managerId, email: 'owner@demo.example', name: 'Olga Ivanova', role: 'OWNER' },
  },
});
export const ApiKeyRevoked = defineEvent({
  ...keysEvent,
  type: 'api-key.revoked',
  payload: ApiKeyRevokedData,
  description: 'A vendor API key was revoked: every request with it is refused from now on.',
  subject: 'the API key id',
  example: {
    id: 'd7e8f90a-1b2c-43da-ab7c-8d9eafb0c1d2',
    time: '2026-04-15T12:00:00.000Z',
    subject: 'e8f90a1b-2c3d-44eb-bc8d-9eafb0c1d2e3',
    data: {
      apiKeyId: 'e8f90a1b-2c3d-44eb-bc8d-9eafb0c1d2e3',
      vendorId: EXAMPLE.vendorId,
      prefix: 'lk_demo_3fQ9',
      revokedAt: '2026-04-15T12:00:00.000Z',
    },
  },
});
