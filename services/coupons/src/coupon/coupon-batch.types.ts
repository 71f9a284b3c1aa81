import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { CouponType } from '@licensing/events';
import { PageInfo } from '@licensing/platform';
import { DistributorRef, ProductRef } from '../read-model/read-model.types';
import { CouponBatchRecord } from './coupon.entity';
import { CouponGrantView, CouponTypeEnum, CouponView, grantViews } from './coupon.types';

/* What the coupon feature answers besides a coupon: batches, pages of coupons, statistics. */

@ObjectType('CouponBatch', { description: 'Coupons generated together, with the same grants.' })
export class CouponBatchView {
  @Field(() => ID, { description: 'Id of the batch; the coupons filter takes it as batchId.' })
  id!: string;

  @Field(() => CouponTypeEnum, { description: 'What every coupon of the batch does when activated.' })
  type!: CouponType;

  @Field(() => Int, { description: 'How many coupons the batch holds (exactly 1 for UPGRADE).' })
  count!: number;

  @Field()
  reusable!: boolean;

  @Field({ description: 'When the batch was generated.' })
  createdAt!: Date;

  @Field(() => String, { nullable: true, description: 'The note given when the batch was generated; null when none.' })
  comment!: string | null;

  @Field(() => DistributorRef, {
    nullable: true,
    description: 'The distributor the batch is credited to in statistics; null when none.',
  })
  distributor!: DistributorRef | null;

  @Field(() => [CouponGrantView])
  grants!: CouponGrantView[];

  vendorId!: string;
}

/** The batch row as GraphQL shows it (without the upgrade key). */
export function couponBatchView(b: CouponBatchRecord): CouponBatchView {
  return {
    id: b.id,
    vendorId: b.vendorId,
    type: b.type,
    count: b.count,
    reusable: b.reusable,
    comment: b.comment,
    createdAt: b.createdAt,
    distributor: b.distributorId ? { id: b.distributorId } : null,
    grants: grantViews(b.grants),
  };
}

@ObjectType({ description: 'One coupon in a page of coupons, with its position.' })
export class CouponEdge {
  @Field({ description: 'Opaque position of this coupon; pass it as after to continue past it.' })
  cursor!: string;

  @Field(() => CouponView, { description: 'The coupon at this position.' })
  node!: CouponView;
}

@ObjectType({ description: 'A page of coupons, in the order they were generated.' })
export class CouponConnection {
  @Field(() => Int, { description: 'How many coupons match the filter in all pages.' })
  totalCount!: number;

  @Field(() => [CouponEdge], { description: 'The coupons of this page, in the order they were generated.' })
  edges!: CouponEdge[];

  @Field(() => PageInfo, { description: 'Whether more coupons follow and where this page ends.' })
  pageInfo!: PageInfo;
}

@ObjectType('CouponStatistic', { description: 'Generated and activated coupons of one distributor, product and type.' })
export class CouponStatisticView {
  @Field(() => DistributorRef, {
    nullable: true,
    description: 'The distributor the coupons are credited to; null for coupons without one.',
  })
  distributor!: DistributorRef | null;

  @Field(() => ProductRef, { description: 'A product the coupons grant; a coupon of two products counts for each.' })
  product!: ProductRef;

  @Field(() => CouponTypeEnum, { description: "The coupons' type." })
  type!: CouponType;

  @Field(() => Int, { description: 'Coupons generated in the period (by the time their batch was generated).' })
  generated!: number;

  @Field(() => Int, { description: 'Activations in the period that are not deactivated.' })
  activated!: number;
}
