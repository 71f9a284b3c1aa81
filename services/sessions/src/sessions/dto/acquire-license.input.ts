import { applyDecorators } from '@nestjs/common';
import { Field, InputType } from '@nestjs/graphql';
import { Transform, Type } from 'class-transformer';
import { IsOptional, IsString, Length, MaxLength, ValidateNested } from 'class-validator';
import { trim, trimOrNull } from '@licensing/platform';

/** Optional text, trimmed; blank becomes null. */
const OptionalText = (max: number) => applyDecorators(IsOptional(), Transform(trimOrNull), IsString(), MaxLength(max));

// The keys service declares the same HostInput (registration); the supergraph merges the two.
@InputType({ description: 'The computer an application runs on, as the application describes it.' })
export class HostInput {
  @Field({ description: 'A stable fingerprint of the host’s hardware and system, computed by the application.' })
  @Transform(trim)
  @IsString()
  @Length(1, 256, { message: 'fingerprint must be 1 to 256 characters long' })
  fingerprint!: string;

  @Field(() => String, { nullable: true })
  @OptionalText(256)
  name?: string | null;

  @Field(() => String, { nullable: true })
  @OptionalText(256)
  os?: string | null;

  @Field(() => String, { nullable: true })
  @OptionalText(64)
  ip?: string | null;

  @Field(() => String, { nullable: true })
  @OptionalText(64)
  platformVersion?: string | null;
}

@InputType({ description: 'What runs on the host: shown in the sessions monitor.' })
export class SessionInput {
  @Field(() => String, { nullable: true, description: 'The database (infobase) the application works in.' })
  @OptionalText(256)
  infobase?: string | null;

  @Field(() => String, { nullable: true })
  @OptionalText(256)
  user?: string | null;

  @Field(() => String, { nullable: true })
  @OptionalText(64)
  processId?: string | null;
}

@InputType()
export class AcquireLicenseInput {
  @Field({ description: 'The license key, as typed.' })
  @IsString()
  @MaxLength(100)
  keyCode!: string;

  @Field()
  @Transform(trim)
  @IsString()
  @Length(1, 40)
  productCode!: string;

  @Field(() => HostInput)
  @ValidateNested()
  @Type(() => HostInput)
  host!: HostInput;

  @Field(() => SessionInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => SessionInput)
  session?: SessionInput | null;
}
