import { Field, InputType } from '@nestjs/graphql';
import { IsString, Length, MaxLength } from 'class-validator';
import { IDEMPOTENCY_KEY_DESCRIPTION, IdempotencyKeyRules } from '@licensing/platform';

@InputType({
  description:
    'A coupon to activate on a key, both as typed; refusals are told apart by their codes (1003, COUPON_USED, ...).',
})
export class ActivateCouponInput {
  @Field({ description: 'The license key, as typed.' })
  @IsString()
  @MaxLength(100)
  keyCode!: string;

  @Field({ description: 'The coupon code, as typed.' })
  @IsString()
  @Length(1, 100)
  couponCode!: string;

  @Field(() => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION })
  @IdempotencyKeyRules()
  idempotencyKey?: string | null;
}
