import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { BadInputError, DomainError, ErrorCode, flattenValidation } from '@licensing/graphql';

/** Where in an argument a DateTime did not parse (Nest's scalar turns any string into a Date). */
function invalidDateIn(value: unknown, path: string, depth = 0): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? path : undefined;
  if (!value || typeof value !== 'object' || depth > 16) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const found = invalidDateIn(inner, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * @nestjs/graphql's number for `@Args()` parameters (GqlParamtype.ARGS; its enum is not
 * exported). Its other parameters (root, context, `@Info()`) are the server's objects, not
 * input: walking `@Info()` for dates went through the whole schema on every call (10 ms a
 * heartbeat, bench/sessions).
 */
const GRAPHQL_ARGS = 3;

/** Whether a parameter is the caller's input: GraphQL arguments, or an HTTP body, query or route parameter. */
function isInput(metadata: ArgumentMetadata): boolean {
  const type: unknown = metadata.type;
  return type === GRAPHQL_ARGS || type === 'body' || type === 'query' || type === 'param';
}

/**
 * Validates every GraphQL argument and input class. Bad input is refused before any state
 * changes, with a message naming each field at fault (`input.client.email: must be an
 * email`); a DateTime that is not one is refused here too, naming its field, before any
 * rule compares it with another.
 */
class InputValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const invalid = isInput(metadata) ? invalidDateIn(value, metadata.data ?? 'input') : undefined;
    if (invalid) {
      throw new BadInputError(invalid, `${invalid} must be an ISO 8601 date-time, such as 2026-08-07T10:00:00Z`);
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

export function inputValidationPipe(): ValidationPipe {
  return new InputValidationPipe({
    transform: true,
    whitelist: true,
    forbidUnknownValues: false,
    exceptionFactory: (errors: ValidationError[]) => {
      const problems = flattenValidation(errors);
      const first = problems[0]?.split(':')[0];
      return new DomainError(ErrorCode.BAD_USER_INPUT, `Invalid input: ${problems.join('; ')}`, first);
    },
  });
}
