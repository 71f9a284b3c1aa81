import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { INACTIVE_REASONS, InactiveReason } from '@licensing/domain';
import { LICENSE_KINDS, LICENSE_SOURCES, LicenseKind, LicenseSourceType } from '@licensing/events';
import { enumOf } from '@licensing/platform';
import { Product } from '../product/product.entity';

export const LicenseKindEnum = enumOf(LICENSE_KINDS);
registerEnumType(LicenseKindEnum, {
  name: 'LicenseKind',
  description: 'TRIAL never adds seats; MAIN carries seats; ADDITIONAL adds seats beside an active MAIN.',
});
export const LicenseSourceEnum = enumOf(LICENSE_SOURCES);
registerEnumType(LicenseSourceEnum, { name: 'LicenseSource', description: 'Where a license came from.' });
export const InactiveReasonEnum = enumOf(INACTIVE_REASONS);
registerEnumType(InactiveReasonEnum, {
  name: 'InactiveReason',
  description: 'Why a license or product is not in force.',
});

@ObjectType('License', {
  description: 'A license on a key: product, kind, term, seats, and whether it is in force now.',
})
export class LicenseView {
  @Field(() => ID)
  id!: string;

  @Field(() => LicenseKindEnum)
  kind!: LicenseKind;

  @Field(() => Int)
  seats!: number;

  @Field()
  startsAt!: Date;

  @Field(() => Date, { nullable: true, description: 'null = perpetual.' })
  expiresAt!: Date | null;

  @Field({ description: 'In force now: active status, inside its term, and every rule of its kind and product met.' })
  active!: boolean;

  @Field(() => InactiveReasonEnum, { nullable: true, description: 'Why the license is not in force; null when it is.' })
  reason!: InactiveReason | null;

  @Field(() => LicenseSourceEnum)
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
