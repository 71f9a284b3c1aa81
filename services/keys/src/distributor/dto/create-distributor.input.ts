import { Field, InputType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, Length } from 'class-validator';
import { lowerTrim, trim } from '@licensing/platform';

@InputType({ description: "A partner that sells the vendor's products; coupons and keys name it for statistics." })
export class CreateDistributorInput {
  @Field({ description: 'Unique within the vendor, ignoring case.' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name!: string;

  @Field(() => String, { nullable: true, description: "The distributor's contact e-mail address, optional." })
  @IsOptional()
  @Transform(lowerTrim)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email?: string | null;
}
