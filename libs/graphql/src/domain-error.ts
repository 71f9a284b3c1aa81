import { ErrorCode, LICENSING_CODES } from './error-codes';

/**
 * A failure the caller can act on. Services throw subclasses (or this class) with a stable
 * code; `formatGraphQLError` is the one place that turns them into GraphQL errors.
 */
export class DomainError extends Error {
  readonly licensingCode?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The input field at fault, e.g. `input.email`. */
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
    this.licensingCode = LICENSING_CODES[code];
  }
}

export class BadInputError extends DomainError {
  constructor(field: string, message: string) {
    super(ErrorCode.BAD_USER_INPUT, message, field);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, field?: string) {
    super(ErrorCode.NOT_FOUND, `${what} not found`, field);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'Not allowed for this caller') {
    super(ErrorCode.FORBIDDEN, message);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'Authentication required') {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, field?: string) {
    super(ErrorCode.CONFLICT, message, field);
  }
}

export class RateLimitedError extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    /** The limit that was reached, for the RateLimit-Limit header (not sent in the error). */
    readonly limit?: number,
  ) {
    super(ErrorCode.RATE_LIMITED, `Too many requests; retry in ${retryAfterSeconds} s`, undefined, {
      retryAfterSeconds,
    });
  }
}
