import { Field, InputType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsString, Length, MaxLength } from 'class-validator';
import { trim } from '@licensing/platform';

@InputType()
export class CheckLicenseInput {
  @Field({ description: 'The license key, as typed.' })
  @IsString()
  @MaxLength(100)
  keyCode!: string;

  @Field()
  @Transform(trim)
  @IsString()
  @Length(1, 40)
  productCode!: string;
}
