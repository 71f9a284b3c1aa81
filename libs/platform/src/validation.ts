import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, ErrorCode, flattenValidation } from '@licensing/graphql';

/**
 * Validates every GraphQL input class. Bad input is refused before any state changes,
 * with a message naming each field at fault (`input.client.email: must be an email`).
 */
export function inputValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
