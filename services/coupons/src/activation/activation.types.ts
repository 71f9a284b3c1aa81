import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ACTIVATION_CHANNELS, ActivationChannel } from '@licensing/events';
import { enumOf } from '@licensing/platform';
import { CouponGrantView, grantViews } from '../coupon/coupon.types';
import { LicenseKeyRef } from '../read-model/read-model.types';
import { ActivationRecord } from './activation.entity';

export const ActivationChannelEnum = enumOf(ACTIVATION_CHANNELS);
registerEnumType(ActivationChannelEnum, {
  name: 'ActivationChannel',
  description: 'Where a coupon was activated, taken from the caller.',
});

@ObjectType('Activation', { description: 'A coupon activated on a key.' })
export class ActivationView {
  @Field(() => ID)
  id!: string;

  @Field(() => ActivationChannelEnum)
  channel!: ActivationChannel;

  @Field()
  activatedAt!: Date;

  @Field(() => Date, { nullable: true })
  deactivatedAt!: Date | null;

  @Field(() => LicenseKeyRef)
  licenseKey!: LicenseKeyRef;

  @Field(() => [CouponGrantView])
  grants!: CouponGrantView[];

  couponCode!: string;
  vendorId!: string;
}

/** The activation row with its coupon's batch (as the repository loads it) as GraphQL shows it. */
export function activationView(a: ActivationRecord): ActivationView {
  return {
    id: a.id,
    vendorId: a.vendorId,
    couponCode: a.couponCode,
    channel: a.channel,
    activatedAt: a.activatedAt,
    deactivatedAt: a.deactivatedAt,
    licenseKey: { id: a.keyId },
    grants: grantViews(a.coupon.batch.grants),
  };
}
