import { Field, InputType } from '@nestjs/graphql';
import { OptionalText, Text } from './input-rules';

/**
 * A host as an application describes it, in every subgraph that takes one (the keys service's
 * self-registration, the sessions service's acquire): one class, so the two declarations the
 * supergraph merges cannot drift apart.
 */
@InputType({ description: 'The computer an application runs on, as the application describes it.' })
export class HostInput {
  @Field({ description: 'A stable fingerprint of the host’s hardware and system, computed by the application.' })
  @Text(1, 256, 'fingerprint must be 1 to 256 characters long')
  fingerprint!: string;

  @Field(() => String, {
    nullable: true,
    description: "The computer's name as the application sees it; the sessions monitor shows it.",
  })
  @OptionalText(256)
  name?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The operating system and its version, as the application reports them.',
  })
  @OptionalText(256)
  os?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "The host's own address as the application reports it (it may differ from the address the gateway sees).",
  })
  @OptionalText(64)
  ip?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Version of the platform the application runs on, as the application reports it.',
  })
  @OptionalText(64)
  platformVersion?: string | null;
}
