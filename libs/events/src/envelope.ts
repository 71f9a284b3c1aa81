import { IsISO8601, IsInt, IsNotEmpty, IsObject, IsString, IsUUID, Min } from 'class-validator';
import { Describe } from './describe';

/** Services that publish events; the `source` of an envelope. */
export type EventSource = 'keys' | 'coupons' | 'sessions' | 'notifications';

/**
 * The CloudEvents-like envelope every message on a licensing topic carries.
 * `subject` is the partition key: the license key id where the event concerns a key,
 * else the entity id (vendor id for vendor-wide events), so each key's events stay ordered.
 */
export class EventEnvelope<T = unknown> {
  @Describe(
    'Unique id of the event. Delivery is at least once: a consumer that has seen this id already must ignore the message.',
  )
  @IsUUID()
  id!: string;

  @Describe('The event type (e.g. coupon.activated); it decides the shape of data. Also in the event-type header.')
  @IsString()
  @IsNotEmpty()
  type!: string;

  @Describe('The service that published the event: keys, coupons, sessions or notifications.')
  @IsString()
  @IsNotEmpty()
  source!: string;

  @Describe('When the change happened (ISO 8601, UTC, milliseconds).')
  @IsISO8601({ strict: true })
  time!: string;

  @Describe('The vendor the event belongs to; a consumer acting for one vendor skips the events of every other vendor.')
  @IsUUID()
  vendorId!: string;

  @Describe(
    'What the event is about, and the Kafka message key: the license key id for events about a key, else the id of the entity (see each message). Events with one subject keep their order.',
  )
  @IsString()
  @IsNotEmpty()
  subject!: string;

  @Describe(
    'Version of the shape of data for this type; a change that breaks consumers comes as a new version on a new topic.',
  )
  @IsInt()
  @Min(1)
  dataVersion!: number;

  @Describe('The payload of the event type, described per message.')
  @IsObject()
  data!: T;
}
