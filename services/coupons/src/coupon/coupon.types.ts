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
  valuesMap: {
    ADD_PRODUCT: {
      description:
        "Adds a license of each product with the coupon's seats and period (MAIN, or ADDITIONAL beside a MAIN in force).",
    },
    EXTEND_TRIAL: {
      description: "Sets the remaining days of the key's trial of each product (a new trial when the key has none).",
    },
    UPGRADE: {
      description: "Makes the coupon's products the key's product set: licenses of other products become inactive.",
    },
  },
});
export const CouponStatusEnum = enumOf(COUPON_STATUSES);
registerEnumType(CouponStatusEnum, {
  name: 'CouponStatus',
  description:
    'NEW until first activated; a single-use coupon whose activation was deactivated is DEACTIVATED, never NEW again.',
  valuesMap: {
    NEW: { description: 'Not activated on any key yet.' },
    ACTIVATED: {
      description:
        'Activated: a single-use coupon on its one key; a reusable coupon on at least one key, and still usable on others.',
    },
    DEACTIVATED: {
      description: 'A single-use coupon whose activation was rolled back; it can never be activated again.',
    },
  },
});

@ObjectType('CouponGrant', { description: 'What a coupon gives for one product.' })
export class CouponGrantView {
  @Field(() => ProductRef, { description: 'The product the grant is for.' })
  product!: ProductRef;

  @Field(() => Int, {
    nullable: true,
    description: 'ADD_PRODUCT and UPGRADE: the access period in days; null = perpetual.',
  })
  periodDays!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'ADD_PRODUCT and UPGRADE: seats of the license the activation grants or sets; null for EXTEND_TRIAL.',
  })
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

  @Field({
    description:
      'The coupon code in its canonical form (upper case, with dashes); activations and client logins accept it as typed.',
  })
  code!: string;

  @Field(() => CouponTypeEnum, { description: 'What the coupon does when activated.' })
  type!: CouponType;

  @Field(() => CouponStatusEnum, { description: 'Whether the coupon can still be activated.' })
  status!: CouponStatus;

  @Field({ description: 'One code for many keys (still once per key).' })
  reusable!: boolean;

  @Field(() => String, { nullable: true, description: 'The note given when the batch was generated; null when none.' })
  comment!: string | null;

  @Field({ description: "When the coupon's batch was generated." })
  createdAt!: Date;

  @Field(() => ID)
  batchId!: string;

  @Field(() => DistributorRef, {
    nullable: true,
    description: "The distributor the coupon's batch is credited to in statistics; null when none.",
  })
  distributor!: DistributorRef | null;

  @Field(() => [CouponGrantView], { description: 'What the coupon gives, one entry per product.' })
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
