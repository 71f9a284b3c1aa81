import { Directive, Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ACTIVATION_CHANNELS, ActivationChannel, COUPON_TYPES, CouponType } from '@licensing/events';
import { enumOf, PageInfo } from '@licensing/platform';

export const COUPON_STATUSES = ['NEW', 'ACTIVATED', 'DEACTIVATED'] as const;
export type CouponStatus = (typeof COUPON_STATUSES)[number];

export const CouponTypeEnum = enumOf(COUPON_TYPES);
registerEnumType(CouponTypeEnum, {
  name: 'CouponType',
  description:
    'ADD_PRODUCT adds products; EXTEND_TRIAL sets a trial’s remaining days; UPGRADE replaces the key’s product set.',
});
export const CouponStatusEnum = enumOf(COUPON_STATUSES);
registerEnumType(CouponStatusEnum, {
  name: 'CouponStatus',
  description:
    'NEW until first activated; a single-use coupon whose activation was deactivated is DEACTIVATED, never NEW again.',
});
export const ActivationChannelEnum = enumOf(ACTIVATION_CHANNELS);
registerEnumType(ActivationChannelEnum, {
  name: 'ActivationChannel',
  description: 'Where a coupon was activated, taken from the caller.',
});

/** Owned by the keys service; referenced here by id. */
@ObjectType('Product')
@Directive('@key(fields: "id", resolvable: false)')
export class ProductRef {
  @Field(() => ID)
  id!: string;
}

/** Owned by the keys service; referenced here by id. */
@ObjectType('Distributor')
@Directive('@key(fields: "id", resolvable: false)')
export class DistributorRef {
  @Field(() => ID)
  id!: string;
}

/** Owned by the keys service; this subgraph adds its coupon activations. */
@ObjectType('LicenseKey')
@Directive('@key(fields: "id")')
export class LicenseKeyRef {
  @Field(() => ID)
  id!: string;
}

/** What a coupon gives for one product (stored with its batch). */
export interface StoredGrant {
  productId: string;
  productCode: string;
  periodDays: number | null;
  seats: number | null;
  trialDays: number | null;
}

@ObjectType('CouponGrant', { description: 'What a coupon gives for one product.' })
export class CouponGrantView {
  @Field(() => ProductRef)
  product!: ProductRef;

  @Field(() => Int, {
    nullable: true,
    description: 'ADD_PRODUCT and UPGRADE: the access period in days; null = perpetual.',
  })
  periodDays!: number | null;

  @Field(() => Int, { nullable: true })
  seats!: number | null;

  @Field(() => Int, { nullable: true, description: 'EXTEND_TRIAL: the remaining days the trial gets.' })
  trialDays!: number | null;
}

export function grantViews(grants: StoredGrant[]): CouponGrantView[] {
  return grants.map((g) => ({
    product: { id: g.productId },
    periodDays: g.periodDays,
    seats: g.seats,
    trialDays: g.trialDays,
  }));
}

@ObjectType('Coupon', { description: 'A coupon code: PPPPUPD-XXXXX-XXXXX-XXXXX-XXXXX.' })
export class CouponView {
  @Field(() => ID)
  id!: string;

  @Field()
  code!: string;

  @Field(() => CouponTypeEnum)
  type!: CouponType;

  @Field(() => CouponStatusEnum)
  status!: CouponStatus;

  @Field({ description: 'One code for many keys (still once per key).' })
  reusable!: boolean;

  @Field(() => String, { nullable: true })
  comment!: string | null;

  @Field()
  createdAt!: Date;

  @Field(() => ID)
  batchId!: string;

  @Field(() => DistributorRef, { nullable: true })
  distributor!: DistributorRef | null;

  @Field(() => [CouponGrantView])
  grants!: CouponGrantView[];

  vendorId!: string;
  seq!: string;
}

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

@ObjectType('CouponBatch', { description: 'Coupons generated together, with the same grants.' })
export class CouponBatchView {
  @Field(() => ID)
  id!: string;

  @Field(() => CouponTypeEnum)
  type!: CouponType;

  @Field(() => Int)
  count!: number;

  @Field()
  reusable!: boolean;

  @Field()
  createdAt!: Date;

  @Field(() => String, { nullable: true })
  comment!: string | null;

  @Field(() => DistributorRef, { nullable: true })
  distributor!: DistributorRef | null;

  @Field(() => [CouponGrantView])
  grants!: CouponGrantView[];

  vendorId!: string;
}

@ObjectType()
export class CouponEdge {
  @Field()
  cursor!: string;

  @Field(() => CouponView)
  node!: CouponView;
}

@ObjectType({ description: 'A page of coupons, in the order they were generated.' })
export class CouponConnection {
  @Field(() => Int)
  totalCount!: number;

  @Field(() => [CouponEdge])
  edges!: CouponEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType('CouponStatistic', { description: 'Generated and activated coupons of one distributor, product and type.' })
export class CouponStatisticView {
  @Field(() => DistributorRef, { nullable: true })
  distributor!: DistributorRef | null;

  @Field(() => ProductRef)
  product!: ProductRef;

  @Field(() => CouponTypeEnum)
  type!: CouponType;

  @Field(() => Int)
  generated!: number;

  @Field(() => Int, { description: 'Activations in the period that are not deactivated.' })
  activated!: number;
}
