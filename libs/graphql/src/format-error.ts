import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { isDataException } from '@licensing/database';
import { DomainError } from './domain-error';
import { ErrorCode, PUBLIC_ERROR_CODES } from './error-codes';

export interface ErrorFormatOptions {
  requestId?: string;
  /** Called with every error that gets masked, to log it with its stack. */
  onInternalError?: (error: unknown, requestId?: string) => void;
}

interface ValidationLike {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationLike[];
}

/** Nest's ValidationPipe throws BadRequestException whose response lists messages. */
function validationMessages(original: unknown): string[] | undefined {
  const response = (original as { response?: { message?: unknown; statusCode?: number } })?.response;
  if (!response || response.statusCode !== 400) return undefined;
  const m = response.message;
  return Array.isArray(m) ? m.map(String) : typeof m === 'string' ? [m] : undefined;
}

function flattenValidation(errors: ValidationLike[], parent = 'input'): string[] {
  return errors.flatMap((e) => {
    const path = `${parent}.${e.property}`;
    return [
      ...Object.values(e.constraints ?? {}).map((m) => `${path}: ${m}`),
      ...flattenValidation(e.children ?? [], path),
    ];
  });
}

export { flattenValidation };

/**
 * The one mapping from thrown errors to what clients see. Domain errors keep their code,
 * licensingCode and field; input validation becomes BAD_USER_INPUT naming the fields;
 * graphql-js request errors pass; anything else is masked to a message plus the request id.
 */
export function formatGraphQLError(
  formatted: GraphQLFormattedError,
  error: unknown,
  options: ErrorFormatOptions = {},
): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const requestId = options.requestId;
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };

  if (original instanceof DomainError) {
    return {
      ...base,
      message: original.message,
      extensions: {
        code: original.code,
        ...(original.licensingCode ? { licensingCode: original.licensingCode } : {}),
        ...(original.field ? { field: original.field } : {}),
        ...(original.details ?? {}),
        ...(requestId ? { requestId } : {}),
      },
    };
  }

  const messages = validationMessages(original);
  if (messages) {
    return {
      ...base,
      message: `Invalid input: ${messages.join('; ')}`,
      extensions: { code: ErrorCode.BAD_USER_INPUT, ...(requestId ? { requestId } : {}) },
    };
  }

  // Backstop behind each boundary's own validation: a value Postgres itself refused (a
  // malformed uuid, a NUL, a number out of range) is the caller's input, never our failure.
  if (isDataException(original)) {
    return {
      ...base,
      message: 'Invalid input: a value is not in the form this field takes',
      extensions: { code: ErrorCode.BAD_USER_INPUT, ...(requestId ? { requestId } : {}) },
    };
  }

  const code = formatted.extensions?.['code'];
  const isRequestError = !(original instanceof Error) || original instanceof GraphQLError;
  if (
    typeof code === 'string' &&
    PUBLIC_ERROR_CODES.has(code) &&
    code !== ErrorCode.INTERNAL_SERVER_ERROR &&
    isRequestError
  ) {
    return { ...formatted, extensions: { ...formatted.extensions, ...(requestId ? { requestId } : {}) } };
  }
  // Variable coercion errors and the like carry no code but are the caller's fault.
  if (code === undefined && isRequestError && original instanceof GraphQLError) {
    return { ...formatted, extensions: { code: ErrorCode.BAD_USER_INPUT, ...(requestId ? { requestId } : {}) } };
  }

  options.onInternalError?.(original, requestId);
  return {
    message: `Internal server error${requestId ? ` (request id ${requestId})` : ''}`,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(requestId ? { requestId } : {}) },
  };
}
