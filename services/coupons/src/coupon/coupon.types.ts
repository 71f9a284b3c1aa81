import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { COUPON_TYPES, CouponType } from '@licensing/events';
import { enumOf } from '@licensing/platform';
import { DistributorRef, ProductRef } from '../read-model/read-model.types';
import { COUPON_STATUSES, CouponRecord, CouponStatus, StoredGrant } from './coupon.entity';

/*
 * A coupon as GraphQL shows it: one type joining the coupon row and its batch's terms.
 * Activation shows these too. The batch, page and statistics types are in
 * coupon-batch.types.ts.
 */

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
    product: { id: g.productId, code: g.productCode },
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

/** The coupon with its batch (as the repository loads it) as GraphQL shows it. */
export function couponView(c: CouponRecord): CouponView {
  return {
    id: c.id,
    seq: c.seq,
    vendorId: c.vendorId,
    batchId: c.batchId,
    code: c.code,
    status: c.status,
    createdAt: c.createdAt,
    type: c.batch.type,
    reusable: c.batch.reusable,
    comment: c.batch.comment,
    distributor: c.batch.distributorId ? { id: c.batch.distributorId } : null,
    grants: grantViews(c.batch.grants),
  };
}
