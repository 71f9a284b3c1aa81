import { EventSource } from './envelope';
import { TopicName } from './topics';

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
}

export function defineEvent<T extends object>(def: EventDefinition<T>): EventDefinition<T> {
  return Object.freeze(def);
}

/** The payload type of a definition. */
export type PayloadOf<D> = D extends EventDefinition<infer T> ? T : never;
