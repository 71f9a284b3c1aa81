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
import { Describe } from '../describe';
import { EXAMPLE } from '../examples';
import { ACTIVATION_CHANNELS, ActivationChannel, COUPON_TYPES, CouponType } from '../enums';
import { Topics } from '../topics';

/** What a coupon gives for one product. */
export class CouponGrant {
  @Describe('Id of the product the grant is for.')
  @IsUUID()
  productId!: string;
  @Describe('Code of the product the grant is for.')
  @IsString()
  productCode!: string;
  /** ADD_PRODUCT / UPGRADE: access period; null = perpetual. */
  @Describe(
    'ADD_PRODUCT and UPGRADE: days of use from the activation; null for a perpetual license (and for EXTEND_TRIAL).',
  )
  @IsOptional()
  @IsInt()
  @Min(1)
  periodDays?: number | null;
  @Describe('ADD_PRODUCT and UPGRADE: seats of the license the activation grants or sets; null for EXTEND_TRIAL.')
  @IsOptional()
  @IsInt()
  @Min(1)
  seats?: number | null;
  /** EXTEND_TRIAL: the remaining days the trial gets. */
  @Describe(
    "EXTEND_TRIAL: the days the key's trial has left after the activation (this sets the remaining days, it does not add to them); null for the other types.",
  )
  @IsOptional()
  @IsInt()
  @Min(1)
  trialDays?: number | null;
}

export class CouponBatchGeneratedData {
  @Describe('Id of the batch; it is also the subject (message key) of this event.')
  @IsUUID()
  batchId!: string;
  @Describe(
    "ADD_PRODUCT: each coupon adds licenses of its products; EXTEND_TRIAL: it sets how long a key's trial has left; UPGRADE: it sets one key's product set.",
  )
  @IsIn(COUPON_TYPES)
  type!: CouponType;
  @Describe('How many coupons the batch holds (exactly 1 for UPGRADE).')
  @IsInt()
  @Min(1)
  count!: number;
  @Describe(
    'Whether each coupon serves any number of keys, still once per key (only EXTEND_TRIAL coupons may be reusable).',
  )
  @IsBoolean()
  reusable!: boolean;
  @Describe('The distributor the batch is credited to in statistics; null when none.')
  @IsOptional()
  @IsUUID()
  distributorId?: string | null;
  @Describe("The vendor's note on the batch; null when none.")
  @IsOptional()
  @IsString()
  comment?: string | null;
  @Describe('UPGRADE: the only key these coupons activate on; null for the other types.')
  @IsOptional()
  @IsString()
  upgradeKeyCode?: string | null;
  @Describe('What each coupon of the batch gives, one entry per product.')
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => CouponGrant)
  grants!: CouponGrant[];
}

export class CouponActivatedData {
  @Describe(
    'Id of the activation; licenses it creates or changes name it as their source, and a deactivation names it.',
  )
  @IsUUID()
  activationId!: string;
  @Describe('Id of the activated coupon.')
  @IsUUID()
  couponId!: string;
  @Describe('Code of the activated coupon (PPPPUPD-XXXXX-XXXXX-XXXXX-XXXXX).')
  @IsString()
  couponCode!: string;
  @Describe(
    "The coupon's type: ADD_PRODUCT, EXTEND_TRIAL or UPGRADE; it decides how the keys service applies the grants.",
  )
  @IsIn(COUPON_TYPES)
  couponType!: CouponType;
  @Describe('Id of the key the coupon was activated on.')
  @IsUUID()
  keyId!: string;
  @Describe('Code of the key the coupon was activated on.')
  @IsString()
  keyCode!: string;
  @Describe(
    "Where the activation came from: APPLICATION (inside the protected application, no token), CLIENT_CABINET (the client, on its own key) or VENDOR_CABINET (the vendor's staff or API).",
  )
  @IsIn(ACTIVATION_CHANNELS)
  channel!: ActivationChannel;
  @Describe("The distributor the coupon's batch is credited to; null when none.")
  @IsOptional()
  @IsUUID()
  distributorId?: string | null;
  @Describe('What the activation gives the key, one entry per product; the keys service applies them.')
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => CouponGrant)
  grants!: CouponGrant[];
}

export class CouponDeactivatedData {
  @Describe('Id of the activation that was rolled back.')
  @IsUUID()
  activationId!: string;
  @Describe('Id of the coupon; a single-use coupon stays used (DEACTIVATED).')
  @IsUUID()
  couponId!: string;
  @Describe('Code of the coupon.')
  @IsString()
  couponCode!: string;
  @Describe("The coupon's type: ADD_PRODUCT, EXTEND_TRIAL or UPGRADE.")
  @IsIn(COUPON_TYPES)
  couponType!: CouponType;
  @Describe('Id of the key whose licenses the keys service restores.')
  @IsUUID()
  keyId!: string;
  @Describe('Code of the key whose licenses the keys service restores.')
  @IsString()
  keyCode!: string;
}

const grants: CouponGrant[] = [
  { productId: EXAMPLE.productId, productCode: EXAMPLE.productCode, periodDays: 365, seats: 5, trialDays: null },
];

const couponsEvent = { topic: Topics.coupons, source: 'coupons', dataVersion: 1 } as const;

export const CouponBatchGenerated = defineEvent({
  ...couponsEvent,
  type: 'coupon.batch-generated',
  payload: CouponBatchGeneratedData,
  description: 'A batch of coupons was generated (one event per batch, not per coupon).',
  subject: 'the batch id',
  example: {
    id: '0a1b2c3d-4e5f-4607-8819-2a3b4c5d6e7f',
    time: '2026-03-01T10:00:00.000Z',
    subject: EXAMPLE.batchId,
    data: {
      batchId: EXAMPLE.batchId,
      type: 'ADD_PRODUCT',
      count: 100,
      reusable: false,
      distributorId: EXAMPLE.distributorId,
      comment: 'Spring promotion',
      upgradeKeyCode: null,
      grants,
    },
  },
});
export const CouponActivated = defineEvent({
  ...couponsEvent,
  type: 'coupon.activated',
  payload: CouponActivatedData,
  description: 'A coupon was activated on a key; the keys service applies its grants.',
  subject: 'the license key id',
  example: {
    id: '1b2c3d4e-5f60-4718-9920-3b4c5d6e7f80',
    time: '2026-03-02T09:15:00.000Z',
    subject: EXAMPLE.keyId,
    data: {
      activationId: EXAMPLE.activationId,
      couponId: EXAMPLE.couponId,
      couponCode: EXAMPLE.couponCode,
      couponType: 'ADD_PRODUCT',
      keyId: EXAMPLE.keyId,
      keyCode: EXAMPLE.keyCode,
      channel: 'APPLICATION',
      distributorId: EXAMPLE.distributorId,
      grants,
    },
  },
});
export const CouponDeactivated = defineEvent({
  ...couponsEvent,
  type: 'coupon.deactivated',
  payload: CouponDeactivatedData,
  description: 'An activation was rolled back; the keys service restores the previous state.',
  subject: 'the license key id',
  example: {
    id: '2c3d4e5f-6071-4829-aa31-4c5d6e7f8091',
    time: '2026-03-03T07:59:59.000Z',
    subject: EXAMPLE.keyId,
    data: {
      activationId: EXAMPLE.activationId,
      couponId: EXAMPLE.couponId,
      couponCode: EXAMPLE.couponCode,
      couponType: 'ADD_PRODUCT',
      keyId: EXAMPLE.keyId,
      keyCode: EXAMPLE.keyCode,
    },
  },
});
