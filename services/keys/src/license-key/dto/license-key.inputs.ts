import { Field, ID, InputType, Int, IntersectionType, ObjectType, PartialType } from '@nestjs/graphql';
import { Transform, Type } from 'class-transformer';
import { IsOptional, IsString, IsUUID, Length, ValidateNested } from 'class-validator';
import { PageInfo, trim } from '@licensing/platform';
import { CompanyName, OptionalEmailAddress, OptionalText, PhoneNumber } from '../../common/input-rules';
import { LicenseKey } from '../license-key.entity';

@InputType({ description: 'The customer company a new key is issued to; a new key always gets a new client.' })
export class ClientInput {
  @Field({
    description:
      "The client's company name; on the key card, another client's name (ignoring case) moves the key to that client.",
  })
  @CompanyName()
  company!: string;

  @Field(() => String, {
    nullable: true,
    description: "The client's contact person (up to 200 characters); null clears it on the key card.",
  })
  @OptionalText(200)
  contactName?: string | null;

  @Field(() => String, { nullable: true, description: "The client's phone number; null clears it on the key card." })
  @PhoneNumber()
  phone?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "The client's e-mail address, stored lower case; expiry reminders go there. null clears it on the key card.",
  })
  @OptionalEmailAddress()
  email?: string | null;
}

/** Who sells and who looks after a key, and a note: on a new key and on the card alike. */
@InputType({ isAbstract: true })
class KeyAssignmentInput {
  @Field(() => ID, {
    nullable: true,
    description: "The distributor the client buys through (one of the vendor's own); null clears it on the key card.",
  })
  @IsOptional()
  @IsUUID('all', { message: 'distributorId must be an id' })
  distributorId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The responsible manager (a staff member).' })
  @IsOptional()
  @IsUUID('all', { message: 'managerId must be an id' })
  managerId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "A note on the key for the vendor's staff (up to 2,000 characters); null clears it on the key card.",
  })
  @OptionalText(2000)
  comment?: string | null;
}

@InputType({ description: 'A license key issued from the vendor cabinet, with the client it is for.' })
export class CreateLicenseKeyInput extends KeyAssignmentInput {
  @Field(() => ClientInput, { description: 'Who the key is for; a new client of the vendor is created.' })
  @ValidateNested()
  @Type(() => ClientInput)
  client!: ClientInput;
}

@InputType({
  description:
    'Every field optional; null clears an optional field. A new company re-binds the key to the vendor’s client of ' +
    'that name (ignoring case) if there is one; otherwise the key’s client is renamed, or, when it has other keys, ' +
    'a new client is made for this key.',
})
export class UpdateLicenseKeyInput extends IntersectionType(PartialType(ClientInput), KeyAssignmentInput) {
  @Field(() => ID, { nullable: true, description: 'Re-binds the key to this client of the vendor.' })
  @IsOptional()
  @IsUUID('all', { message: 'clientId must be an id' })
  clientId?: string;
}

@InputType({ description: "Narrows the vendor's list of keys; every given condition must hold." })
export class LicenseKeyFilter {
  @Field(() => String, {
    nullable: true,
    description: 'At least 3 characters: a substring of the key code, company or e-mail, any case.',
  })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(3, 200, { message: 'search must be 3 to 200 characters long' })
  search?: string | null;

  @Field(() => ID, { nullable: true, description: 'Keys whose client buys through this distributor.' })
  @IsOptional()
  @IsUUID('all', { message: 'distributorId must be an id' })
  distributorId?: string | null;

  @Field(() => String, { nullable: true, description: 'Keys with a license (any) of this product.' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 40)
  productCode?: string | null;
}

@ObjectType({ description: 'One key in a page of keys, with its position.' })
export class LicenseKeyEdge {
  @Field({ description: 'Opaque position of this key; pass it as after to continue past it.' })
  cursor!: string;

  @Field(() => LicenseKey, { description: 'The license key.' })
  node!: LicenseKey;
}

@ObjectType({ description: 'A page of license keys, newest first.' })
export class LicenseKeyConnection {
  @Field(() => Int, {
    description:
      'How many keys match the filter in all pages, counted exactly up to 1,000 (the service’s ' +
      'KEY_SEARCH_COUNT_LIMIT); past that it is the limit itself, a lower bound, and totalCountIsExact is false.',
  })
  totalCount!: number;

  @Field({
    description:
      'Whether totalCount is the exact number of matching keys; false when more keys match than the service counts ' +
      '(1,000 by default), so that a list can say "1,000+" and page on with hasNextPage.',
  })
  totalCountIsExact!: boolean;

  @Field(() => [LicenseKeyEdge], { description: 'The keys of this page, newest first.' })
  edges!: LicenseKeyEdge[];

  @Field(() => PageInfo, { description: 'Whether more keys follow and where this page ends.' })
  pageInfo!: PageInfo;
}
