import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { COUPON_TYPES, CouponType } from '@licensing/events';
import { trim } from '@licensing/platform';
import { CouponTypeEnum } from '../../coupon/coupon.types';

export const MAX_COUPONS_PER_BATCH = 100_000;

@InputType({ description: 'One product a coupon grants, with its terms.' })
export class CouponProductInput {
  @Field({ description: "Code of one of the vendor's products; each product once per batch." })
  @Transform(trim)
  @IsString()
  @Length(1, 40)
  productCode!: string;

  @Field(() => Int, { nullable: true, description: 'ADD_PRODUCT / UPGRADE: access period in days; null = perpetual.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(36_500)
  periodDays?: number | null;

  @Field(() => Int, { nullable: true, description: 'ADD_PRODUCT / UPGRADE: seats (default 1).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  seats?: number | null;
}

@InputType({
  description:
    'A batch of coupons; which fields apply depends on the type, and any other combination is refused naming the field.',
})
export class GenerateCouponsInput {
  @Field(() => CouponTypeEnum, {
    description: 'What the coupons do when activated: ADD_PRODUCT, EXTEND_TRIAL or UPGRADE.',
  })
  @IsIn(COUPON_TYPES)
  type!: CouponType;

  @Field(() => ID, { nullable: true, description: 'Who sells these coupons (for statistics).' })
  @IsOptional()
  @IsUUID('all', { message: 'distributorId must be an id' })
  distributorId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "A note on the batch for the vendor's staff (up to 2,000 characters).",
  })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(2000)
  comment?: string | null;

  @Field(() => [CouponProductInput], {
    description:
      "The products each coupon grants (1 to 50, each once); for UPGRADE, the key's product set after activation.",
  })
  @ArrayMinSize(1, { message: 'products must name at least one product' })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => CouponProductInput)
  products!: CouponProductInput[];

  @Field(() => Int, {
    nullable: true,
    defaultValue: 1,
    description: `How many coupons (1 to ${MAX_COUPONS_PER_BATCH}); UPGRADE: 1.`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_COUPONS_PER_BATCH)
  count?: number;

  @Field(() => Int, { nullable: true, description: 'EXTEND_TRIAL: the remaining days the trial gets.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  trialDays?: number | null;

  @Field({ nullable: true, defaultValue: false, description: 'EXTEND_TRIAL: one coupon for many keys, once per key.' })
  @IsOptional()
  @IsBoolean()
  reusable?: boolean;

  @Field(() => String, { nullable: true, description: 'UPGRADE: the key to upgrade, as typed.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  upgradeKeyCode?: string | null;

  @Field({
    nullable: true,
    defaultValue: false,
    description: 'UPGRADE: activate on the key at once (channel VENDOR_CABINET).',
  })
  @IsOptional()
  @IsBoolean()
  activateImmediately?: boolean;
}
