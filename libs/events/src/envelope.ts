import { IsISO8601, IsInt, IsNotEmpty, IsObject, IsString, IsUUID, Min } from 'class-validator';

/** Services that publish events; the `source` of an envelope. */
export type EventSource = 'keys' | 'coupons' | 'sessions' | 'notifications';

/**
 * The CloudEvents-like envelope every message on a licensing topic carries.
 * `subject` is the partition key: the license key id where the event concerns a key,
 * else the entity id (vendor id for vendor-wide events), so each key's events stay ordered.
 */
export class EventEnvelope<T = unknown> {
  @IsUUID()
  id!: string;

  @IsString()
  @IsNotEmpty()
  type!: string;

  @IsString()
  @IsNotEmpty()
  source!: string;

  @IsISO8601({ strict: true })
  time!: string;

  @IsUUID()
  vendorId!: string;

  @IsString()
  @IsNotEmpty()
  subject!: string;

  @IsInt()
  @Min(1)
  dataVersion!: number;

  @IsObject()
  data!: T;
}
