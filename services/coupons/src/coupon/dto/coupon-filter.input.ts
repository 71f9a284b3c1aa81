import { Field, ID, InputType } from '@nestjs/graphql';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { COUPON_TYPES, CouponType } from '@licensing/events';
import { COUPON_STATUSES, CouponStatus } from '../coupon.entity';
import { CouponStatusEnum, CouponTypeEnum } from '../coupon.types';

@InputType({ description: "Narrows the vendor's list of coupons; every given condition must hold." })
export class CouponFilter {
  @Field(() => ID, { nullable: true, description: 'Coupons of this batch only.' })
  @IsOptional()
  @IsUUID('all', { message: 'batchId must be an id' })
  batchId?: string | null;

  @Field(() => CouponTypeEnum, { nullable: true, description: 'Coupons of this type only.' })
  @IsOptional()
  @IsIn(COUPON_TYPES)
  type?: CouponType | null;

  @Field(() => CouponStatusEnum, { nullable: true, description: 'Coupons in this status only.' })
  @IsOptional()
  @IsIn(COUPON_STATUSES)
  status?: CouponStatus | null;

  @Field(() => ID, { nullable: true, description: 'Coupons credited to this distributor only.' })
  @IsOptional()
  @IsUUID('all', { message: 'distributorId must be an id' })
  distributorId?: string | null;
}
