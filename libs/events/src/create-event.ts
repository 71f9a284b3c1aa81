import { randomUUID } from 'node:crypto';
import { instanceToPlain, plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { findEventDefinition } from './catalogue';
import { EventDefinition } from './define-event';
import { EventEnvelope } from './envelope';

export class EventValidationError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length ? `${message}: ${problems.join('; ')}` : message);
    this.name = 'EventValidationError';
  }
}

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    return [...Object.values(e.constraints ?? {}).map((m) => `${path}: ${m}`), ...flatten(e.children ?? [], path)];
  });
}

function validatePayload<T extends object>(def: EventDefinition<T>, data: unknown): T {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new EventValidationError(`${def.type} data must be an object`);
  }
  const instance = plainToInstance(def.payload, data);
  const errors = validateSync(instance, { forbidUnknownValues: true });
  if (errors.length) throw new EventValidationError(`invalid ${def.type} data`, flatten(errors, 'data'));
  return instance;
}

export interface NewEvent<T> {
  vendorId: string;
  /** Partition key: the license key id, else the entity id. */
  subject: string;
  data: T;
  /** Defaults to now. */
  time?: Date;
  /** Defaults to a random uuid; pass one to make the event id deterministic. */
  id?: string;
}

/** Builds a validated envelope; throws EventValidationError when the payload breaks its class. */
export function createEvent<T extends object>(def: EventDefinition<T>, input: NewEvent<T>): EventEnvelope<T> {
  validatePayload(def, input.data);
  return envelope(def, input, instanceToPlain(input.data) as T);
}

/**
 * An envelope for a payload that the caller assembles field by field from its own typed
 * records, without validating it again: for a service's busiest events, where the payload
 * classes' validation was a twentieth of the work. The data must be plain JSON values as the
 * payload class describes them; the caller keeps a test that runs what it builds through
 * parseEvent. Anything read from outside the process goes through createEvent.
 */
export function createAssembledEvent<T extends object>(def: EventDefinition<T>, input: NewEvent<T>): EventEnvelope<T> {
  return envelope(def, input, input.data);
}

function envelope<T extends object>(def: EventDefinition<T>, input: NewEvent<T>, data: T): EventEnvelope<T> {
  return {
    id: input.id ?? randomUUID(),
    type: def.type,
    source: def.source,
    time: (input.time ?? new Date()).toISOString(),
    vendorId: input.vendorId,
    subject: input.subject,
    dataVersion: def.dataVersion,
    data,
  };
}

/**
 * Validates an incoming message (already JSON-parsed) against the envelope and the
 * payload class of its type. Returns the envelope with `data` as a class instance.
 */
export function parseEvent(raw: unknown): { definition: EventDefinition; envelope: EventEnvelope<object> } {
  if (typeof raw !== 'object' || raw === null) throw new EventValidationError('event must be a JSON object');
  const envelope = plainToInstance(EventEnvelope, raw);
  const errors = validateSync(envelope, { forbidUnknownValues: true });
  if (errors.length) throw new EventValidationError('invalid event envelope', flatten(errors));
  const definition = findEventDefinition(envelope.type);
  if (!definition) throw new EventValidationError(`unknown event type ${envelope.type}`);
  if (envelope.dataVersion !== definition.dataVersion) {
    throw new EventValidationError(
      `${envelope.type} dataVersion ${envelope.dataVersion} is not ${definition.dataVersion}`,
    );
  }
  const data = validatePayload(definition, envelope.data);
  return { definition, envelope: { ...envelope, data } };
}

/** Narrows a parsed envelope to one definition's payload type. */
export function isEvent<T extends object>(
  def: EventDefinition<T>,
  envelope: EventEnvelope<object>,
): envelope is EventEnvelope<T> {
  return envelope.type === def.type;
}
