import { Field, ID, InputType, Int, IntersectionType, ObjectType, PartialType } from '@nestjs/graphql';
import { PageInfo } from '@licensing/platform';
import { Transform, Type } from 'class-transformer';
import { IsEmail, IsOptional, IsString, IsUUID, Length, MaxLength, ValidateNested } from 'class-validator';
import { LicenseKey } from '../license-key.entity';
import { trim, trimOrNull, emailOrNull } from '@licensing/platform';

@InputType()
export class ClientInput {
  @Field()
  @Transform(trim)
  @IsString()
  @Length(1, 300, { message: 'company must be 1 to 300 characters long' })
  company!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(200)
  contactName?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(50)
  phone?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Transform(emailOrNull)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(254)
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
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(2000)
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
