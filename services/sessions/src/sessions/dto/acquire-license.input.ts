import { Field, InputType } from '@nestjs/graphql';
import { Transform, Type } from 'class-transformer';
import { IsOptional, IsString, Length, MaxLength, ValidateNested } from 'class-validator';
import { HostInput, IDEMPOTENCY_KEY_DESCRIPTION, IdempotencyKeyRules, OptionalText, trim } from '@licensing/platform';

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

  @Field(() => String, {
    nullable: true,
    description:
      `${IDEMPOTENCY_KEY_DESCRIPTION} Per license key: a retry answers the same session (no second seat); ` +
      'a first try refused with 1051 or 2008 is not remembered, so its retry is decided afresh.',
  })
  @IdempotencyKeyRules()
  idempotencyKey?: string | null;
}
