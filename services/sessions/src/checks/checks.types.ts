import { Field, ID, ObjectType } from '@nestjs/graphql';
import type { StandingReason } from '../read-model/license-standing';
import { StandingReasonEnum } from '../read-model/read-model.types';
import { LicenseCheckRecord } from './check.entity';

@ObjectType('LicenseCheck', {
  description: 'A license check as it was answered; support finds it by the request id the customer copied.',
})
export class LicenseCheckView {
  @Field(() => ID, { description: 'Unique per check (a UUIDv7); shown to the customer.' })
  requestId!: string;

  @Field({ description: 'When the check was answered.' })
  checkedAt!: Date;

  @Field({ description: 'The key, canonical form.' })
  keyCode!: string;

  @Field({ description: 'Code of the checked product.' })
  productCode!: string;

  @Field({ description: 'Whether a license of the product was in force on the key.' })
  active!: boolean;

  @Field(() => Date, { nullable: true, description: 'Until when, as things stood; null = perpetual or not active.' })
  validUntil!: Date | null;

  @Field(() => StandingReasonEnum, { nullable: true, description: 'Why not; null when active.' })
  reason!: StandingReason | null;

  @Field({ description: 'What the application shows, e.g. "License active until 07.08.2026".' })
  message!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'The answer signed for offline verification: a compact EdDSA JWS (JWT) of requestId, keyCode, productCode, ' +
      'active, validUntil, reason, message and checkedAt; verify it with the vendor’s JWKS (docs/signing.md). ' +
      'Only the answer to CheckLicense carries it; null when a check is looked up later.',
  })
  signature!: string | null;
}

export function checkView(record: LicenseCheckRecord): LicenseCheckView {
  return {
    requestId: record.requestId,
    checkedAt: record.checkedAt,
    keyCode: record.keyCode,
    productCode: record.productCode,
    active: record.active,
    validUntil: record.validUntil,
    reason: record.reason,
    message: record.message,
    signature: null,
  };
}
