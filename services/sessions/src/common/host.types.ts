import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType('Host', { description: 'A computer as the application described it.' })
export class HostView {
  @Field()
  fingerprint!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true })
  os!: string | null;

  @Field(() => String, { nullable: true })
  ip!: string | null;

  @Field(() => String, { nullable: true })
  platformVersion!: string | null;
}
