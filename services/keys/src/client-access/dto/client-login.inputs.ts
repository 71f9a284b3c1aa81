import { Field, InputType, ObjectType } from '@nestjs/graphql';
import { IsString, Length } from 'class-validator';
import { LicenseKey } from '../../license-key/license-key.entity';

@InputType()
export class ClientLoginInput {
  @Field({ description: 'A license key, or a coupon already activated on one, as typed.' })
  @IsString()
  @Length(1, 100)
  code!: string;
}

@ObjectType()
export class ClientLoginPayload {
  @Field({ description: 'A short-lived token that sees only this key (Authorization: Bearer).' })
  token!: string;

  @Field()
  expiresAt!: Date;

  @Field(() => LicenseKey)
  licenseKey!: LicenseKey;
}
