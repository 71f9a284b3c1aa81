import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { CouponType } from '@licensing/events';
import { PageInfo } from '@licensing/platform';
import { DistributorRef, ProductRef } from '../read-model/read-model.types';
import { CouponBatchRecord } from './coupon.entity';
import { CouponGrantView, CouponTypeEnum, CouponView, grantViews } from './coupon.types';

/* What the coupon feature answers besides a coupon: batches, pages of coupons, statistics. */

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
