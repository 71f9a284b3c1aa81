import { Field, InputType, Int } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { LICENSE_MODELS, LicenseModel } from '@licensing/events';
import { LicenseModelEnum } from '../product.entity';
import { trim } from '@licensing/platform';

@InputType({ description: "A new product in the caller's vendor catalogue." })
export class CreateProductInput {
  @Field({ description: 'Letters, digits, dash and underscore; unique within the vendor.' })
  @Transform(trim)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, {
    message: 'code must be 1-40 letters, digits, dashes or underscores',
  })
  code!: string;

  @Field({ description: "The product's name as the cabinets and e-mails show it." })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name!: string;

  @Field(() => LicenseModelEnum, {
    description: "How the product's seats are counted; it decides how acquireLicense hands them out.",
  })
  @IsIn(LICENSE_MODELS)
  licenseModel!: LicenseModel;

  @Field(() => Int, {
    nullable: true,
    defaultValue: 30,
    description: 'Length in days of a trial of the product, 1 to 365 (default 30).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(365)
  trialDays?: number;

  @Field({ nullable: true, description: 'A license of that product must be active for this one to be valid.' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  requiresProductCode?: string;
}

@InputType({ description: 'Every field optional; requiresProductCode null removes the requirement.' })
export class UpdateProductInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name?: string;

  @Field(() => LicenseModelEnum, {
    nullable: true,
    description: 'Changes how seats are counted from the next acquisition on.',
  })
  @IsOptional()
  @IsIn(LICENSE_MODELS)
  licenseModel?: LicenseModel;

  @Field(() => Int, { nullable: true, description: 'For trials issued from now on.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(365)
  trialDays?: number;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsString()
  requiresProductCode?: string | null;
}
