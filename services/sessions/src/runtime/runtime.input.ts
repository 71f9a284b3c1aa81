import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { BadInputError, DomainError, ErrorCode, findMalformedValue } from '@licensing/graphql';

/**
 * Input checks of the runtime endpoint: the GraphQL input classes' own class-validator rules
 * (so both doors refuse the same values), plus what the GraphQL schema checks there and JSON
 * does not: the body is an object, required objects are present, no unknown fields, no
 * malformed text. Each refusal is BAD_USER_INPUT naming the field by its path in the body
 * (`host.fingerprint`).
 */

function flatten(errors: readonly ValidationError[], parent: string): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    return [...Object.values(e.constraints ?? {}).map((m) => `${path}: ${m}`), ...flatten(e.children ?? [], path)];
  });
}

/** The body as an object, or BAD_USER_INPUT. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadInputError('body', 'The body must be a JSON object');
  }
  const malformed = findMalformedValue(body, '');
  if (malformed) throw new BadInputError(malformed.field, `${malformed.field} ${malformed.problem}`);
  return body as Record<string, unknown>;
}

/** Refuses an object that is missing, or not an object. */
export function requireObject(value: unknown, field: string, optional = false): void {
  if (optional && (value === undefined || value === null)) return;
  if (value === undefined || value === null) throw new BadInputError(field, `${field} is required`);
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BadInputError(field, `${field} must be an object`);
  }
}

/** The body as an instance of a GraphQL input class, validated by its rules; unknown fields are refused. */
export function validInput<T extends object>(type: ClassConstructor<T>, body: Record<string, unknown>): T {
  const input = plainToInstance(type, body);
  const errors = validateSync(input, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false });
  if (errors.length) {
    const problems = flatten(errors, '');
    const field = problems[0]!.split(':')[0];
    throw new DomainError(ErrorCode.BAD_USER_INPUT, `Invalid input: ${problems.join('; ')}`, field);
  }
  return input;
}

/** The session id of a release body: `{ "sessionId": "…" }` and nothing else. */
export function sessionIdOf(body: Record<string, unknown>, also: readonly string[] = []): string {
  for (const name of Object.keys(body)) {
    if (name !== 'sessionId' && !also.includes(name))
      throw new BadInputError(name, `${name}: property ${name} should not exist`);
  }
  const { sessionId } = body;
  if (sessionId === undefined || sessionId === null) throw new BadInputError('sessionId', 'sessionId is required');
  if (typeof sessionId !== 'string') throw new BadInputError('sessionId', 'sessionId must be a string');
  return sessionId;
}

/**
 * A heartbeat body: `{ "sessionId": "…", "renewToken"?: boolean }`. renewToken false: the
 * application's lease token is still good for a while, so no new one is signed (true or
 * absent: a new one is).
 */
export function heartbeatOf(body: Record<string, unknown>): { sessionId: string; renewToken: boolean } {
  const sessionId = sessionIdOf(body, ['renewToken']);
  const { renewToken } = body;
  if (renewToken !== undefined && renewToken !== null && typeof renewToken !== 'boolean')
    throw new BadInputError('renewToken', 'renewToken must be true or false');
  return { sessionId, renewToken: renewToken !== false };
}
