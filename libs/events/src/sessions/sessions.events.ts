import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, IsUUID } from 'class-validator';
import { defineEvent } from '../define-event';
import { Describe } from '../describe';
import { EXAMPLE } from '../examples';
import { SESSION_END_REASONS, SessionEndReason } from '../enums';
import { Topics } from '../topics';

export class BindingData {
  @Describe('Id of the host binding; a cabinet resets it by this id.')
  @IsUUID()
  bindingId!: string;
  @Describe('Id of the key whose seat the host holds.')
  @IsUUID()
  keyId!: string;
  @Describe('Code of the key whose seat the host holds.')
  @IsString()
  keyCode!: string;
  @Describe('Code of the product (of the HOST_BINDING model) the seat is of.')
  @IsString()
  productCode!: string;
  @Describe(
    'Fingerprint of the bound computer, as the application computed it; every session on that computer uses this one seat.',
  )
  @IsString()
  hostFingerprint!: string;
  @Describe("The computer's name as the application reported it; null when it sent none.")
  @IsOptional()
  @IsString()
  hostName?: string | null;
}

export class SessionStartedData {
  @Describe('Id of the session; the application heartbeats and releases with it.')
  @IsUUID()
  sessionId!: string;
  @Describe('Id of the key the session uses.')
  @IsUUID()
  keyId!: string;
  @Describe('Code of the key the session uses.')
  @IsString()
  keyCode!: string;
  @Describe('Code of the product the session uses.')
  @IsString()
  productCode!: string;
  @Describe('Fingerprint of the computer the session runs on.')
  @IsString()
  hostFingerprint!: string;
}

export class SessionEndedData {
  @Describe('Id of the session that ended; it is never revived (the application acquires again).')
  @IsUUID()
  sessionId!: string;
  @Describe('Id of the key the session used.')
  @IsUUID()
  keyId!: string;
  @Describe('Code of the key the session used.')
  @IsString()
  keyCode!: string;
  @Describe(
    'Why it ended: RELEASED by the application; EXPIRED after three heartbeat intervals without a heartbeat; TERMINATED from a cabinet; KEY_DELETED; LICENSE_INACTIVE, the key no longer has a license of the product in force; SEATS_REDUCED, the seats fell below the holders and the newest sessions over the count ended.',
  )
  @IsIn(SESSION_END_REASONS)
  reason!: SessionEndReason;
}

export class LicenseCheckedData {
  @Describe(
    "The check's request id (a UUIDv7), which the application shows to the user and support looks up (licenseCheck).",
  )
  @IsString()
  requestId!: string;
  @Describe('Code of the checked key.')
  @IsString()
  keyCode!: string;
  @Describe('Code of the checked product.')
  @IsString()
  productCode!: string;
  @Describe('Whether the product was in force on the key at the check.')
  @IsBoolean()
  active!: boolean;
  @Describe(
    'Until when the product stays in force as things stood (ISO 8601, UTC); null when it is perpetual or not in force.',
  )
  @IsOptional()
  @IsISO8601()
  validUntil?: string | null;
  @Describe(
    'Why the product was not in force: DEACTIVATED, NOT_STARTED, EXPIRED, SUPERSEDED_BY_MAIN, NO_MAIN_LICENSE, REQUIRED_PRODUCT_INACTIVE, NO_LICENSE (none of the product on the key) or KEY_DELETED; null when it was.',
  )
  @IsOptional()
  @IsString()
  reason?: string | null;
}

const binding: BindingData = {
  bindingId: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
  keyId: EXAMPLE.keyId,
  keyCode: EXAMPLE.keyCode,
  productCode: EXAMPLE.productCode,
  hostFingerprint: EXAMPLE.hostFingerprint,
  hostName: 'ACCOUNTING-01',
};
const sessionId = '6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c';

const sessionsEvent = { topic: Topics.sessions, source: 'sessions', dataVersion: 1 } as const;

export const BindingCreated = defineEvent({
  ...sessionsEvent,
  type: 'binding.created',
  payload: BindingData,
  description: 'A host took a seat of a HOST_BINDING license.',
  subject: 'the license key id',
  example: {
    id: '3d4e5f60-7182-4930-bb42-5d6e7f8091a2',
    time: '2026-03-02T09:20:00.000Z',
    subject: EXAMPLE.keyId,
    data: binding,
  },
});
export const BindingReset = defineEvent({
  ...sessionsEvent,
  type: 'binding.reset',
  payload: BindingData,
  description: 'A host binding was reset from a cabinet; the seat is free.',
  subject: 'the license key id',
  example: {
    id: '4e5f6071-8293-4a41-8c53-6e7f8091a2b3',
    time: '2026-04-10T13:00:00.000Z',
    subject: EXAMPLE.keyId,
    data: binding,
  },
});
export const SessionStarted = defineEvent({
  ...sessionsEvent,
  type: 'session.started',
  payload: SessionStartedData,
  description: 'An application acquired a license lease.',
  subject: 'the license key id',
  example: {
    id: '5f607182-93a4-8b52-9d64-7f8091a2b3c4',
    time: '2026-03-02T09:20:00.000Z',
    subject: EXAMPLE.keyId,
    data: {
      sessionId,
      keyId: EXAMPLE.keyId,
      keyCode: EXAMPLE.keyCode,
      productCode: EXAMPLE.productCode,
      hostFingerprint: EXAMPLE.hostFingerprint,
    },
  },
});
export const SessionEnded = defineEvent({
  ...sessionsEvent,
  type: 'session.ended',
  payload: SessionEndedData,
  description: 'A lease ended: released, expired, terminated, or its key deleted.',
  subject: 'the license key id',
  example: {
    id: '60718293-a4b5-8c63-ae75-8091a2b3c4d5',
    time: '2026-03-02T17:45:00.000Z',
    subject: EXAMPLE.keyId,
    data: { sessionId, keyId: EXAMPLE.keyId, keyCode: EXAMPLE.keyCode, reason: 'RELEASED' },
  },
});
export const LicenseChecked = defineEvent({
  ...sessionsEvent,
  type: 'license.checked',
  payload: LicenseCheckedData,
  description: 'A license check was answered under a request id that support can look up.',
  subject: 'the license key id',
  example: {
    id: '718293a4-b5c6-4d74-bf86-91a2b3c4d5e6',
    time: '2026-08-01T06:30:00.000Z',
    subject: EXAMPLE.keyId,
    data: {
      requestId: '01985c3e-2a40-7b1c-9d2e-3f4a5b6c7d8e',
      keyCode: EXAMPLE.keyCode,
      productCode: EXAMPLE.productCode,
      active: true,
      validUntil: '2027-03-02T09:15:00.000Z',
      reason: null,
    },
  },
});
