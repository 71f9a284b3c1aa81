import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType('Host', { description: 'A computer as the application described it.' })
export class HostView {
  @Field({
    description: 'The fingerprint the application computed for the computer; a HOST_BINDING seat is bound to it.',
  })
  fingerprint!: string;

  @Field(() => String, {
    nullable: true,
    description: "The computer's name as the application reported it; null when not given.",
  })
  name!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The operating system as the application reported it; null when not given.',
  })
  os!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The host's own address as the application reported it; null when not given.",
  })
  ip!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Version of the platform the application runs on, as reported; null when not given.',
  })
  platformVersion!: string | null;
}
