import { Field, InputType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsString, Length, MaxLength } from 'class-validator';
import { trim } from '@licensing/platform';

@InputType({ description: 'A license check of one product on one key; the answer is recorded under a new request id.' })
export class CheckLicenseInput {
  @Field({ description: 'The license key, as typed.' })
  @IsString()
  @MaxLength(100)
  keyCode!: string;

  @Field({ description: 'Code of the product to check.' })
  @Transform(trim)
  @IsString()
  @Length(1, 40)
  productCode!: string;
}
