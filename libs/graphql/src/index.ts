export { ErrorCode, LICENSING_CODES, PUBLIC_ERROR_CODES } from './error-codes';
export {
  DomainError,
  BadInputError,
  NotFoundError,
  ForbiddenError,
  UnauthenticatedError,
  ConflictError,
  RateLimitedError,
} from './domain-error';
export { formatGraphQLError, flattenValidation } from './format-error';
export type { ErrorFormatOptions } from './format-error';
export {
  textProblem,
  findMalformedText,
  findMalformedValue,
  malformedTextError,
  textBoundaryPlugin,
} from './text-boundary';
export type { MalformedText } from './text-boundary';
export { selectsField } from './selection';
