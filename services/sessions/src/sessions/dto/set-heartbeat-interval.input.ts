import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

@InputType({ description: 'A product’s own heartbeat interval.' })
export class SetProductHeartbeatIntervalInput {
  @Field(() => ID, { description: 'A product of the caller vendor.' })
  @IsUUID('all', { message: 'productId is not a product id' })
  productId!: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Seconds between heartbeats, 5 to 3,600; null returns the product to the service default (60 s).',
  })
  @IsOptional()
  @IsInt({ message: 'seconds must be a whole number' })
  @Min(5, { message: 'seconds must be 5 to 3600' })
  @Max(3_600, { message: 'seconds must be 5 to 3600' })
  seconds?: number | null;
}
