import { Field, InputType, ObjectType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsString, Length, Matches } from 'class-validator';
import { Vendor } from '../vendor.entity';

@InputType({ description: 'A new vendor on the platform (the operator only).' })
export class CreateVendorInput {
  @Field({ description: 'Exactly four Latin letters; stored upper case.' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value))
  @Matches(/^[A-Z]{4}$/, { message: 'prefix must be exactly four Latin letters' })
  prefix!: string;

  @Field({ description: "The vendor's name as the cabinets and e-mails show it." })
  @IsString()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @Length(1, 200)
  name!: string;
}

@ObjectType({ description: 'A new vendor with its first API key.' })
export class CreateVendorPayload {
  @Field(() => Vendor, { description: 'The vendor that was created.' })
  vendor!: Vendor;

  @Field({ description: 'The first API key. Shown only here; only its hash is stored.' })
  apiKey!: string;
}
