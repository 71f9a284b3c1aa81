import { EventSource } from './envelope';
import { TopicName } from './topics';

/** One example message of an event type, shown to partners and checked against the event class. */
export interface EventExample<T extends object> {
  /** Envelope id of the example (any UUID). */
  readonly id: string;
  /** When the example event happened (ISO 8601, UTC). */
  readonly time: string;
  /** The envelope's subject, which is also the Kafka message key. */
  readonly subject: string;
  readonly data: T;
}

export interface EventDefinition<T extends object = object> {
  /** Versioned dotted name, e.g. `coupon.activated`. */
  readonly type: string;
  readonly topic: TopicName;
  readonly source: EventSource;
  readonly dataVersion: number;
  /** The class-validator-decorated payload class. */
  readonly payload: new () => T;
  /** One sentence for partners reading the catalogue. */
  readonly description: string;
  /**
   * What the envelope's `subject` (the Kafka message key) is for this type, e.g. "the license
   * key id". The catalogue test requires it for every type.
   */
  readonly subject?: string;
  /** An example message; the catalogue test requires one for every type and validates it. */
  readonly example?: EventExample<T>;
}

export function defineEvent<T extends object>(def: EventDefinition<T>): EventDefinition<T> {
  return Object.freeze(def);
}

/** The payload type of a definition. */
export type PayloadOf<D> = D extends EventDefinition<infer T> ? T : never;
