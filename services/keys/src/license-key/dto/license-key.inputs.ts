import { Field, ID, InputType, Int, IntersectionType, ObjectType, PartialType } from '@nestjs/graphql';
import { Transform, Type } from 'class-transformer';
import { IsOptional, IsString, IsUUID, Length, ValidateNested } from 'class-validator';
import { PageInfo, trim } from '@licensing/platform';
import { CompanyName, OptionalEmailAddress, OptionalText, PhoneNumber } from '../../common/input-rules';
import { LicenseKey } from '../license-key.entity';

@InputType()
export class ClientInput {
  @Field()
  @CompanyName()
  company!: string;

  @Field(() => String, { nullable: true })
  @OptionalText(200)
  contactName?: string | null;

  @Field(() => String, { nullable: true })
  @PhoneNumber()
  phone?: string | null;

  @Field(() => String, { nullable: true })
  @OptionalEmailAddress()
  email?: string | null;
}

/** Who sells and who looks after a key, and a note: on a new key and on the card alike. */
@InputType({ isAbstract: true })
class KeyAssignmentInput {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID('all', { message: 'distributorId must be an id' })
  distributorId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The responsible manager (a staff member).' })
  @IsOptional()
  @IsUUID('all', { message: 'managerId must be an id' })
  managerId?: string | null;

  @Field(() => String, { nullable: true })
  @OptionalText(2000)
  comment?: string | null;
}

@InputType()
export class CreateLicenseKeyInput extends KeyAssignmentInput {
  @Field(() => ClientInput)
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

@InputType()
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

  @Field(() => ID, { nullable: true })
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

@ObjectType()
export class LicenseKeyEdge {
  @Field()
  cursor!: string;

  @Field(() => LicenseKey)
  node!: LicenseKey;
}

@ObjectType({ description: 'A page of license keys, newest first.' })
export class LicenseKeyConnection {
  @Field(() => Int)
  totalCount!: number;

  @Field(() => [LicenseKeyEdge])
  edges!: LicenseKeyEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
