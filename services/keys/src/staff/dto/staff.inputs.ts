import { Field, InputType, ObjectType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsIn, IsString, Length } from 'class-validator';
import type { StaffRole } from '@licensing/identity';
import { Staff, StaffRoleEnum } from '../staff.entity';
import { lowerTrim, trim } from '@licensing/platform';
import { EmailAddress } from '../../common/input-rules';

@InputType()
export class CreateStaffInput {
  @Field({ description: 'The login; unique across the platform, case-insensitive.' })
  @EmailAddress()
  email!: string;

  @Field()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name!: string;

  @Field(() => StaffRoleEnum)
  @IsIn(Object.values(StaffRoleEnum))
  role!: StaffRole;

  @Field({ description: 'At least 10 characters.' })
  @IsString()
  @Length(10, 200, { message: 'password must be 10 to 200 characters long' })
  password!: string;
}

@InputType()
export class LoginInput {
  @Field()
  @Transform(lowerTrim)
  @IsString()
  @Length(3, 254)
  email!: string;

  @Field()
  @IsString()
  @Length(1, 200)
  password!: string;
}

@ObjectType()
export class LoginPayload {
  @Field({ description: 'A short-lived access token for the vendor cabinet (Authorization: Bearer).' })
  token!: string;

  @Field()
  expiresAt!: Date;

  @Field(() => Staff)
  staff!: Staff;
}
