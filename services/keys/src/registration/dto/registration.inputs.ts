import { Field, InputType, ObjectType } from '@nestjs/graphql';
import { Transform, Type } from 'class-transformer';
import { IsString, Length, Matches, ValidateNested } from 'class-validator';
import { HostInput, IDEMPOTENCY_KEY_DESCRIPTION, IdempotencyKeyRules, upperTrim } from '@licensing/platform';
import { CompanyName, EmailAddress, PhoneNumber, Text } from '../../common/input-rules';
import { LicenseKey } from '../../license-key/license-key.entity';
import { LicenseView } from '../../license/license.types';

@InputType()
export class RegisterInput {
  @Field({ description: 'The vendor’s four-letter prefix.' })
  @Transform(upperTrim)
  @Matches(/^[A-Z]{4}$/, { message: 'vendorPrefix must be four Latin letters' })
  vendorPrefix!: string;

  @Field()
  @Text(1, 40)
  productCode!: string;

  @Field()
  @CompanyName()
  company!: string;

  @Field()
  @Text(1, 200, 'contactName must be 1 to 200 characters long')
  contactName!: string;

  @Field(() => String, { nullable: true })
  @PhoneNumber()
  phone?: string | null;

  @Field({ description: 'The key letter goes here.' })
  @EmailAddress()
  email!: string;

  @Field(() => HostInput)
  @ValidateNested()
  @Type(() => HostInput)
  host!: HostInput;

  @Field(() => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION })
  @IdempotencyKeyRules()
  idempotencyKey?: string | null;
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
  @Text(1, 40)
  productCode!: string;

  @Field(() => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION })
  @IdempotencyKeyRules()
  idempotencyKey?: string | null;
}
