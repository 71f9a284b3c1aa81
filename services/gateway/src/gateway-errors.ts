import { GraphQLFormattedError } from 'graphql';
import { formatGraphQLError } from '@licensing/graphql';
import { stripSuggestions } from './limits/suggestions';

/**
 * Extensions that describe the gateway's or a subgraph's insides rather than the error:
 * stack traces (a subgraph in development mode sends them), the subgraph's name that
 * @apollo/gateway adds to every downstream error, transport details.
 */
const INTERNAL_EXTENSIONS = new Set(['stacktrace', 'exception', 'serviceName', 'originalError', 'http']);

export interface GatewayErrorOptions {
  /** NODE_ENV=production: no "Did you mean …?" hints. */
  production: boolean;
  requestId?: string;
  onInternalError?: (error: unknown, requestId?: string) => void;
}

/**
 * The gateway's formatError. @apollo/gateway re-wraps each subgraph error in a new
 * GraphQLError that keeps the subgraph's message and copies its `extensions` (adding
 * `serviceName`); errors without a code become DOWNSTREAM_SERVICE_ERROR. So a subgraph's
 * domain error reaches this point with `code`, `licensingCode` and `field` intact, and the
 * shared `formatGraphQLError` lets public codes through and masks everything else to
 * "Internal server error (request id …)".
 */
export function formatGatewayError(
  formatted: GraphQLFormattedError,
  error: unknown,
  options: GatewayErrorOptions,
): GraphQLFormattedError {
  const extensions = formatted.extensions
    ? Object.fromEntries(Object.entries(formatted.extensions).filter(([k]) => !INTERNAL_EXTENSIONS.has(k)))
    : undefined;
  const cleaned: GraphQLFormattedError = {
    ...formatted,
    message: options.production ? stripSuggestions(formatted.message) : formatted.message,
    ...(extensions ? { extensions } : {}),
  };
  const result = formatGraphQLError(cleaned, error, {
    requestId: options.requestId,
    onInternalError: options.onInternalError,
  });
  return options.production ? { ...result, message: stripSuggestions(result.message) } : result;
}

/** A log line for an error that was masked; a subgraph's error arrives as a plain object. */
export function describeInternalError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? error.message;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
