import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { EVENT_CATALOGUE } from '@licensing/events';
import { enumOf, trim } from '@licensing/platform';
import { DELIVERY_STATUSES, DeliveryStatus } from './webhook.entity';

/** The event types an endpoint may subscribe to: every type of the catalogue. */
export const WEBHOOK_EVENT_TYPES = EVENT_CATALOGUE.map((d) => d.type);

export const WebhookDeliveryStatusEnum = enumOf(DELIVERY_STATUSES);
registerEnumType(WebhookDeliveryStatusEnum, {
  name: 'WebhookDeliveryStatus',
  description: 'Where a webhook delivery stands.',
  valuesMap: {
    PENDING: { description: 'Waiting for its first or next attempt.' },
    SENDING: {
      description: 'Not used: a delivery reads PENDING while its attempt is under way.',
      deprecationReason: 'Deliveries are not marked while an attempt runs (the worker holds their endpoint instead).',
    },
    DELIVERED: { description: 'The endpoint answered 2xx.' },
    FAILED: { description: 'Given up: retries ran out, or the endpoint answered 410 Gone.' },
  },
});

@ObjectType({ description: 'A URL of the vendor’s that receives its events, signed the Standard Webhooks way.' })
export class WebhookEndpoint {
  @Field(() => ID, { description: 'The endpoint’s id.' })
  id!: string;

  @Field({ description: 'Where deliveries are POSTed.' })
  url!: string;

  @Field(() => [String], { description: 'The event types it receives; empty: all.' })
  eventTypes!: string[];

  @Field({ description: 'False once disabled (by the vendor, by 410 Gone, or after a day of failures).' })
  enabled!: boolean;

  @Field(() => String, { nullable: true, description: 'Why it was disabled.' })
  disabledReason!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The signing secret (whsec_…): only in the answers of create and rotateWebhookSecret.',
  })
  secret!: string | null;

  @Field({ description: 'When it was registered.' })
  createdAt!: Date;
}

@ObjectType({ description: 'One attempt at a delivery.' })
export class WebhookAttempt {
  @Field({ description: 'When it was made.' })
  attemptedAt!: Date;

  @Field(() => Int, { nullable: true, description: 'The HTTP status the endpoint answered; null when none.' })
  statusCode!: number | null;

  @Field(() => Int, { description: 'How long it took, in milliseconds.' })
  durationMs!: number;

  @Field(() => String, { nullable: true, description: 'What went wrong (no answer, a refused address, …).' })
  error!: string | null;

  @Field(() => Date, { nullable: true, description: 'When the next attempt is due; null when none follows.' })
  nextAttemptAt!: Date | null;
}

@ObjectType({ description: 'One event to one endpoint, with every attempt at it.' })
export class WebhookDelivery {
  @Field(() => ID, { description: 'The delivery’s id.' })
  id!: string;

  @Field(() => ID, { description: 'The endpoint it goes to.' })
  endpointId!: string;

  @Field(() => ID, { description: 'The event’s id: also the webhook-id header, the same on every attempt.' })
  eventId!: string;

  @Field({ description: 'The event’s type, e.g. key.registered.' })
  eventType!: string;

  @Field(() => WebhookDeliveryStatusEnum, { description: 'Where it stands.' })
  status!: DeliveryStatus;

  @Field(() => Int, { description: 'Attempts made so far.' })
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed.' })
  lastError!: string | null;

  @Field(() => Int, { nullable: true, description: 'The last HTTP status answered.' })
  lastStatusCode!: number | null;

  @Field(() => Date, { nullable: true, description: 'When the next attempt is due; null once final.' })
  nextAttemptAt!: Date | null;

  @Field({ description: 'When the event reached the endpoint’s queue.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the endpoint answered 2xx.' })
  deliveredAt!: Date | null;

  @Field(() => [WebhookAttempt], { description: 'Every attempt, oldest first.' })
  log!: WebhookAttempt[];
}

function EventTypes() {
  return function (target: object, property: string) {
    IsOptional()(target, property);
    IsArray({ message: `${property} must be a list of event types` })(target, property);
    ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)(target, property);
    IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: `${property} may only name event types of the catalogue` })(
      target,
      property,
    );
  };
}

@InputType({ description: 'A new webhook endpoint.' })
export class CreateWebhookEndpointInput {
  @Field({ description: 'https (in production), not resolving to a private, loopback or link-local address.' })
  @Transform(trim)
  @IsString()
  @MaxLength(2000)
  url!: string;

  @Field(() => [String], { nullable: true, description: 'Event types to receive; empty or absent: all.' })
  @EventTypes()
  eventTypes?: string[] | null;
}

@InputType({ description: 'Every field optional.' })
export class UpdateWebhookEndpointInput {
  @Field(() => String, { nullable: true, description: 'A new URL, checked like a new endpoint’s.' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(2000)
  url?: string | null;

  @Field(() => [String], { nullable: true, description: 'The event types to receive; empty: all.' })
  @EventTypes()
  eventTypes?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'False pauses deliveries; true resumes them.' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean | null;
}
