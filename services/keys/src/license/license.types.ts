import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { INACTIVE_REASONS, InactiveReason } from '@licensing/domain';
import { LICENSE_KINDS, LICENSE_SOURCES, LicenseKind, LicenseSourceType } from '@licensing/events';
import { enumOf } from '@licensing/platform';
import { Product } from '../product/product.entity';

export const LicenseKindEnum = enumOf(LICENSE_KINDS);
registerEnumType(LicenseKindEnum, {
  name: 'LicenseKind',
  description: 'TRIAL never adds seats; MAIN carries seats; ADDITIONAL adds seats beside an active MAIN.',
  valuesMap: {
    TRIAL: {
      description:
        'A trial: one seat, never added to other licenses, and not in force while a MAIN license of the product is.',
    },
    MAIN: { description: "The commercial license that carries the product's seats." },
    ADDITIONAL: { description: 'Extra seats, counted only while a MAIN license of the same product is in force.' },
  },
});
export const LicenseSourceEnum = enumOf(LICENSE_SOURCES);
registerEnumType(LicenseSourceEnum, {
  name: 'LicenseSource',
  description: 'Where a license came from.',
  valuesMap: {
    REGISTRATION: { description: 'The trial that came with a self-registration from an application.' },
    TRIAL: { description: 'A trial asked for with an existing key (activateTrial).' },
    COUPON: { description: 'A coupon activation; sourceId names the activation, whose deactivation rolls it back.' },
    MANUAL: { description: 'Entered by hand by the vendor (not offered yet).' },
  },
});
export const InactiveReasonEnum = enumOf(INACTIVE_REASONS);
registerEnumType(InactiveReasonEnum, {
  name: 'InactiveReason',
  description: 'Why a license or product is not in force.',
  valuesMap: {
    DEACTIVATED: { description: 'Switched off: replaced by an upgrade, retired by a MAIN license, or rolled back.' },
    NOT_STARTED: { description: 'Its term has not begun yet.' },
    EXPIRED: { description: 'Its term has ended.' },
    SUPERSEDED_BY_MAIN: { description: 'A trial while a MAIN license of the product is in force.' },
    NO_MAIN_LICENSE: { description: 'An ADDITIONAL license without a MAIN license of the product in force.' },
    REQUIRED_PRODUCT_INACTIVE: {
      description: 'The product requires another product, and no license of that one is in force.',
    },
  },
});

@ObjectType('License', {
  description: 'A license on a key: product, kind, term, seats, and whether it is in force now.',
})
export class LicenseView {
  @Field(() => ID, { description: 'Id of the license; the events about it carry it as licenseId.' })
  id!: string;

  @Field(() => LicenseKindEnum, {
    description: 'TRIAL, MAIN or ADDITIONAL: whether the license carries, adds or never adds seats.',
  })
  kind!: LicenseKind;

  @Field(() => Int, {
    description: "Seats the license carries: computers or sessions, by the product's license model.",
  })
  seats!: number;

  @Field({ description: "Start of the license's term." })
  startsAt!: Date;

  @Field(() => Date, { nullable: true, description: "End of the license's term; null for a perpetual license." })
  expiresAt!: Date | null;

  @Field({ description: 'In force now: active status, inside its term, and every rule of its kind and product met.' })
  active!: boolean;

  @Field(() => InactiveReasonEnum, { nullable: true, description: 'Why the license is not in force; null when it is.' })
  reason!: InactiveReason | null;

  @Field(() => LicenseSourceEnum, {
    description: 'What created the license: a registration, a trial request, a coupon or a manual grant.',
  })
  source!: LicenseSourceType;

  @Field(() => String, { nullable: true, description: 'The coupon activation id when the source is COUPON.' })
  sourceId!: string | null;

  productId!: string;
  keyId!: string;
  vendorId!: string;
  /** Loaded with the evaluation (it needs every product's requirement anyway). */
  loadedProduct?: Product;
}

@ObjectType('KeyProduct', { description: 'One product on a key, summed over its licenses.' })
export class KeyProductView {
  @Field({ description: 'In force now.' })
  active!: boolean;

  @Field(() => Int, { description: 'Seats in force: main plus additional licenses, else the trial’s.' })
  seats!: number;

  @Field(() => Date, {
    nullable: true,
    description: 'When it stops as things stand; null = perpetual or not in force.',
  })
  validUntil!: Date | null;

  @Field(() => InactiveReasonEnum, { nullable: true })
  reason!: InactiveReason | null;

  @Field({ description: 'What an application shows, e.g. "License active until 07.08.2026".' })
  message!: string;

  productId!: string;
  vendorId!: string;
  loadedProduct?: Product;
}
