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
  valuesMap: {
    APPLICATION: { description: 'Inside the protected application, without a token (the key is the credential).' },
    CLIENT_CABINET: { description: 'By the client in its cabinet, on its own key.' },
    VENDOR_CABINET: { description: "By the vendor's staff or API key, on one of the vendor's keys." },
  },
});

@ObjectType('Activation', { description: 'A coupon activated on a key.' })
export class ActivationView {
  @Field(() => ID, {
    description:
      'Id of the activation; deactivateActivation takes it, and licenses it created name it as their source.',
  })
  id!: string;

  @Field(() => ActivationChannelEnum, { description: 'Where the coupon was activated, taken from the caller.' })
  channel!: ActivationChannel;

  @Field({ description: 'When the coupon was activated on the key.' })
  activatedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the activation was rolled back; null while it stands.' })
  deactivatedAt!: Date | null;

  @Field(() => LicenseKeyRef, { description: 'The key the coupon was activated on.' })
  licenseKey!: LicenseKeyRef;

  @Field(() => [CouponGrantView], {
    description:
      "What the activation gave the key, one entry per product; the key's licenses show it shortly after the answer.",
  })
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
