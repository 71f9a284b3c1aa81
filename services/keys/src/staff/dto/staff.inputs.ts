import { Field, InputType, ObjectType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsIn, IsString, Length } from 'class-validator';
import type { StaffRole } from '@licensing/identity';
import { Staff, StaffRoleEnum } from '../staff.entity';
import { lowerTrim, trim } from '@licensing/platform';
import { EmailAddress } from '../../common/input-rules';

@InputType({
  description: "A new cabinet user of the caller's vendor (only an OWNER or the vendor's API key adds staff).",
})
export class CreateStaffInput {
  @Field({ description: 'The login; unique across the platform, case-insensitive.' })
  @EmailAddress()
  email!: string;

  @Field({ description: "The staff member's name as the cabinet shows it, e.g. as a key's responsible manager." })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name!: string;

  @Field(() => StaffRoleEnum, { description: 'What the staff member may do: OWNER or MANAGER.' })
  @IsIn(Object.values(StaffRoleEnum))
  role!: StaffRole;

  @Field({ description: 'At least 10 characters.' })
  @IsString()
  @Length(10, 200, { message: 'password must be 10 to 200 characters long' })
  password!: string;
}

@InputType({
  description:
    "A staff member's credentials for the vendor cabinet; failed attempts are throttled per e-mail and address.",
})
export class LoginInput {
  @Field({ description: "The staff member's e-mail address, in any case." })
  @Transform(lowerTrim)
  @IsString()
  @Length(3, 254)
  email!: string;

  @Field({ description: "The staff member's password; never logged or stored in clear." })
  @IsString()
  @Length(1, 200)
  password!: string;
}

@ObjectType({ description: 'A vendor-cabinet session of one staff member.' })
export class LoginPayload {
  @Field({ description: 'A short-lived access token for the vendor cabinet (Authorization: Bearer).' })
  token!: string;

  @Field({ description: 'When the access token stops working (15 minutes after login by default); log in again then.' })
  expiresAt!: Date;

  @Field(() => Staff, { description: 'The staff member who logged in, with the vendor.' })
  staff!: Staff;
}
