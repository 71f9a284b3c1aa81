import { Field, InputType, ObjectType } from '@nestjs/graphql';
import { Transform, Type } from 'class-transformer';
import { IsString, Length, Matches, ValidateNested } from 'class-validator';
import { HostInput, IDEMPOTENCY_KEY_DESCRIPTION, IdempotencyKeyRules, upperTrim } from '@licensing/platform';
import { CompanyName, EmailAddress, PhoneNumber, Text } from '../../common/input-rules';
import { LicenseKey } from '../../license-key/license-key.entity';
import { LicenseView } from '../../license/license.types';

@InputType({
  description:
    'What an application sends to register a client that has no license key yet: who the client is and the computer it runs on.',
})
export class RegisterInput {
  @Field({ description: 'The vendor’s four-letter prefix.' })
  @Transform(upperTrim)
  @Matches(/^[A-Z]{4}$/, { message: 'vendorPrefix must be four Latin letters' })
  vendorPrefix!: string;

  @Field({
    description:
      "The vendor's code of the product being registered; the new key gets a trial of it (the product's trialDays).",
  })
  @Text(1, 40)
  productCode!: string;

  @Field({
    description: "The client's company name; an e-mail that already has a key for another company is refused (2022).",
  })
  @CompanyName()
  company!: string;

  @Field({ description: 'The person the key letter is addressed to (1-200 characters).' })
  @Text(1, 200, 'contactName must be 1 to 200 characters long')
  contactName!: string;

  @Field(() => String, { nullable: true, description: "The client's phone number, optional." })
  @PhoneNumber()
  phone?: string | null;

  @Field({ description: 'The key letter goes here.' })
  @EmailAddress()
  email!: string;

  @Field(() => HostInput, {
    description: 'The computer registering; one computer registers once (1059, or 2051 with other details).',
  })
  @ValidateNested()
  @Type(() => HostInput)
  host!: HostInput;

  @Field(() => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION })
  @IdempotencyKeyRules()
  idempotencyKey?: string | null;
}

@ObjectType({ description: 'The key a registration created, with the trial that came with it.' })
export class RegisterPayload {
  @Field(() => LicenseKey, {
    description: 'The new license key; it is also e-mailed to the client, who should keep that letter.',
  })
  licenseKey!: LicenseKey;

  @Field(() => LicenseView, { description: 'The trial of the registered product.' })
  license!: LicenseView;
}

@InputType({ description: 'A trial asked for with an existing key: the key as typed and the product to try.' })
export class ActivateTrialInput {
  @Field({ description: 'The license key, as typed.' })
  @IsString()
  @Length(1, 100)
  keyCode!: string;

  @Field({ description: "The vendor's code of the product to try; a key gets one trial per product." })
  @Text(1, 40)
  productCode!: string;

  @Field(() => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION })
  @IdempotencyKeyRules()
  idempotencyKey?: string | null;
}
