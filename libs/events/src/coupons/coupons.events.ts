import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Min,
  ValidateNested,
} from 'class-validator';
import { defineEvent } from '../define-event';
import { ACTIVATION_CHANNELS, ActivationChannel, COUPON_TYPES, CouponType } from '../enums';
import { Topics } from '../topics';

/** What a coupon gives for one product. */
export class CouponGrant {
  @IsUUID() productId!: string;
  @IsString() productCode!: string;
  /** ADD_PRODUCT / UPGRADE: access period; null = perpetual. */
  @IsOptional() @IsInt() @Min(1) periodDays?: number | null;
  @IsOptional() @IsInt() @Min(1) seats?: number | null;
  /** EXTEND_TRIAL: the remaining days the trial gets. */
  @IsOptional() @IsInt() @Min(1) trialDays?: number | null;
}

export class CouponBatchGeneratedData {
  @IsUUID() batchId!: string;
  @IsIn(COUPON_TYPES) type!: CouponType;
  @IsInt() @Min(1) count!: number;
  @IsBoolean() reusable!: boolean;
  @IsOptional() @IsUUID() distributorId?: string | null;
  @IsOptional() @IsString() comment?: string | null;
  @IsOptional() @IsString() upgradeKeyCode?: string | null;
  @IsArray() @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => CouponGrant) grants!: CouponGrant[];
}

export class CouponActivatedData {
  @IsUUID() activationId!: string;
  @IsUUID() couponId!: string;
  @IsString() couponCode!: string;
  @IsIn(COUPON_TYPES) couponType!: CouponType;
  @IsUUID() keyId!: string;
  @IsString() keyCode!: string;
  @IsIn(ACTIVATION_CHANNELS) channel!: ActivationChannel;
  @IsOptional() @IsUUID() distributorId?: string | null;
  @IsArray() @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => CouponGrant) grants!: CouponGrant[];
}

export class CouponDeactivatedData {
  @IsUUID() activationId!: string;
  @IsUUID() couponId!: string;
  @IsString() couponCode!: string;
  @IsIn(COUPON_TYPES) couponType!: CouponType;
  @IsUUID() keyId!: string;
  @IsString() keyCode!: string;
}

const couponsEvent = { topic: Topics.coupons, source: 'coupons', dataVersion: 1 } as const;

export const CouponBatchGenerated = defineEvent({
  ...couponsEvent,
  type: 'coupon.batch-generated',
  payload: CouponBatchGeneratedData,
  description: 'A batch of coupons was generated (one event per batch, not per coupon).',
});
export const CouponActivated = defineEvent({
  ...couponsEvent,
  type: 'coupon.activated',
  payload: CouponActivatedData,
  description: 'A coupon was activated on a key; the keys service applies its grants.',
});
export const CouponDeactivated = defineEvent({
  ...couponsEvent,
  type: 'coupon.deactivated',
  payload: CouponDeactivatedData,
  description: 'An activation was rolled back; the keys service restores the previous state.',
});
