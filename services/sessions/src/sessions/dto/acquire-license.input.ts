import { Field, InputType } from '@nestjs/graphql';
import { Transform, Type } from 'class-transformer';
import { IsOptional, IsString, Length, MaxLength, ValidateNested } from 'class-validator';
import { HostInput, IDEMPOTENCY_KEY_DESCRIPTION, IdempotencyKeyRules, OptionalText, trim } from '@licensing/platform';

@InputType({ description: 'What runs on the host: shown in the sessions monitor.' })
export class SessionInput {
  @Field(() => String, { nullable: true, description: 'The database (infobase) the application works in.' })
  @OptionalText(256)
  infobase?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The user working in the application (shown in the sessions monitor).',
  })
  @OptionalText(256)
  user?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The application's process id on the host (shown in the sessions monitor).",
  })
  @OptionalText(64)
  processId?: string | null;
}

@InputType({
  description: 'A seat asked for by an application: the key, the product, the computer and what runs on it.',
})
export class AcquireLicenseInput {
  @Field({ description: 'The license key, as typed.' })
  @IsString()
  @MaxLength(100)
  keyCode!: string;

  @Field({ description: 'Code of the product the application needs a seat of.' })
  @Transform(trim)
  @IsString()
  @Length(1, 40)
  productCode!: string;

  @Field(() => HostInput, {
    description:
      'The computer the application runs on; HOST_BINDING and CONCURRENT_HOSTS count seats by its fingerprint.',
  })
  @ValidateNested()
  @Type(() => HostInput)
  host!: HostInput;

  @Field(() => SessionInput, {
    nullable: true,
    description: 'What runs on the host, for the sessions monitor; optional.',
  })
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
