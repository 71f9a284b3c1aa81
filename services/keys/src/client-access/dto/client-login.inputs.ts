import { Field, InputType, ObjectType } from '@nestjs/graphql';
import { IsString, Length } from 'class-validator';
import { LicenseKey } from '../../license-key/license-key.entity';

@InputType({ description: 'How a client enters its cabinet: with its license key or a coupon activated on it.' })
export class ClientLoginInput {
  @Field({ description: 'A license key, or a coupon already activated on one, as typed.' })
  @IsString()
  @Length(1, 100)
  code!: string;
}

@ObjectType({ description: 'A client-cabinet session for one license key.' })
export class ClientLoginPayload {
  @Field({ description: 'A short-lived token that sees only this key (Authorization: Bearer).' })
  token!: string;

  @Field({ description: 'When the token stops working (15 minutes after login by default); log in again then.' })
  expiresAt!: Date;

  @Field(() => LicenseKey, { description: 'The key the token gives access to; the token sees nothing else.' })
  licenseKey!: LicenseKey;
}
