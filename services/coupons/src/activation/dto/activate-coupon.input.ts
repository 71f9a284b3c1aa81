import { Field, InputType } from '@nestjs/graphql';
import { IsString, Length, MaxLength } from 'class-validator';

@InputType()
export class ActivateCouponInput {
  @Field({ description: 'The license key, as typed.' })
  @IsString()
  @MaxLength(100)
  keyCode!: string;

  @Field({ description: 'The coupon code, as typed.' })
  @IsString()
  @Length(1, 100)
  couponCode!: string;
}
