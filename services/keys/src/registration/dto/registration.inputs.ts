import { Field, InputType, ObjectType } from '@nestjs/graphql';
import { Transform, Type } from 'class-transformer';
import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { LicenseKey } from '../../license-key/license-key.entity';
import { LicenseView } from '../../license/license.view';
import { trim, trimOrNull, lowerTrim, upperTrim } from '@licensing/platform';

@InputType({ description: 'The computer an application runs on, as the application describes it.' })
export class HostInput {
  @Field({ description: 'A stable fingerprint of the host’s hardware and system, computed by the application.' })
  @Transform(trim)
  @IsString()
  @Length(1, 256, { message: 'fingerprint must be 1 to 256 characters long' })
  fingerprint!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(256)
  name?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(256)
  os?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(64)
  ip?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(64)
  platformVersion?: string | null;
}

@InputType()
export class RegisterInput {
  @Field({ description: 'The vendor’s four-letter prefix.' })
  @Transform(upperTrim)
  @Matches(/^[A-Z]{4}$/, { message: 'vendorPrefix must be four Latin letters' })
  vendorPrefix!: string;

  @Field()
  @Transform(trim)
  @IsString()
  @Length(1, 40)
  productCode!: string;

  @Field()
  @Transform(trim)
  @IsString()
  @Length(1, 300, { message: 'company must be 1 to 300 characters long' })
  company!: string;

  @Field()
  @Transform(trim)
  @IsString()
  @Length(1, 200, { message: 'contactName must be 1 to 200 characters long' })
  contactName!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(50)
  phone?: string | null;

  @Field({ description: 'The key letter goes here.' })
  @Transform(lowerTrim)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(254)
  email!: string;

  @Field(() => HostInput)
  @ValidateNested()
  @Type(() => HostInput)
  host!: HostInput;
}

@ObjectType()
export class RegisterPayload {
  @Field(() => LicenseKey)
  licenseKey!: LicenseKey;

  @Field(() => LicenseView, { description: 'The trial of the registered product.' })
  license!: LicenseView;
}

@InputType()
export class ActivateTrialInput {
  @Field({ description: 'The license key, as typed.' })
  @IsString()
  @Length(1, 100)
  keyCode!: string;

  @Field()
  @Transform(trim)
  @IsString()
  @Length(1, 40)
  productCode!: string;
}
