import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, IsUUID } from 'class-validator';
import { defineEvent } from '../define-event';
import { SESSION_END_REASONS, SessionEndReason } from '../enums';
import { Topics } from '../topics';

export class BindingData {
  @IsUUID() bindingId!: string;
  @IsUUID() keyId!: string;
  @IsString() keyCode!: string;
  @IsString() productCode!: string;
  @IsString() hostFingerprint!: string;
  @IsOptional() @IsString() hostName?: string | null;
}

export class SessionStartedData {
  @IsUUID() sessionId!: string;
  @IsUUID() keyId!: string;
  @IsString() keyCode!: string;
  @IsString() productCode!: string;
  @IsString() hostFingerprint!: string;
}

export class SessionEndedData {
  @IsUUID() sessionId!: string;
  @IsUUID() keyId!: string;
  @IsString() keyCode!: string;
  @IsIn(SESSION_END_REASONS) reason!: SessionEndReason;
}

export class LicenseCheckedData {
  @IsString() requestId!: string;
  @IsString() keyCode!: string;
  @IsString() productCode!: string;
  @IsBoolean() active!: boolean;
  @IsOptional() @IsISO8601() validUntil?: string | null;
  @IsOptional() @IsString() reason?: string | null;
}

const sessionsEvent = { topic: Topics.sessions, source: 'sessions', dataVersion: 1 } as const;

export const BindingCreated = defineEvent({
  ...sessionsEvent,
  type: 'binding.created',
  payload: BindingData,
  description: 'A host took a seat of a HOST_BINDING license.',
});
export const BindingReset = defineEvent({
  ...sessionsEvent,
  type: 'binding.reset',
  payload: BindingData,
  description: 'A host binding was reset from a cabinet; the seat is free.',
});
export const SessionStarted = defineEvent({
  ...sessionsEvent,
  type: 'session.started',
  payload: SessionStartedData,
  description: 'An application acquired a license lease.',
});
export const SessionEnded = defineEvent({
  ...sessionsEvent,
  type: 'session.ended',
  payload: SessionEndedData,
  description: 'A lease ended: released, expired, terminated, or its key deleted.',
});
export const LicenseChecked = defineEvent({
  ...sessionsEvent,
  type: 'license.checked',
  payload: LicenseCheckedData,
  description: 'A license check was answered under a request id that support can look up.',
});
