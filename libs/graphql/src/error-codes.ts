/**
 * Every machine-readable error code a client can see in `extensions.code`.
 * Numbered domain errors also carry `extensions.licensingCode` (docs/errors.md);
 * those numbers are shown to end users by the applications and must never change.
 */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** The request body is larger than the gateway accepts. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The request is not a GraphQL request (a body that is not JSON). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The document has no operation of the given name, or several and no operationName. */
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  // coupons
  /** A single-use coupon that was activated already (even if deactivated since). */
  COUPON_USED: 'COUPON_USED',
  /** A reusable coupon this key has activated already. */
  COUPON_USED_BY_KEY: 'COUPON_USED_BY_KEY',
  /** An upgrade coupon generated for another key. */
  COUPON_FOR_OTHER_KEY: 'COUPON_FOR_OTHER_KEY',
  /** A coupon of one vendor and a key of another. */
  COUPON_OF_OTHER_VENDOR: 'COUPON_OF_OTHER_VENDOR',
  // sessions
  /** A session that expired, was released or was terminated: acquire again (never revived). */
  SESSION_ENDED: 'SESSION_ENDED',
  // numbered domain errors
  COUPON_NEEDS_KEY: 'COUPON_NEEDS_KEY',
  NO_FREE_LICENSE: 'NO_FREE_LICENSE',
  ALREADY_REGISTERED: 'ALREADY_REGISTERED',
  LICENSE_NOT_ON_KEY: 'LICENSE_NOT_ON_KEY',
  EMAIL_HAS_KEY_FOR_OTHER_COMPANY: 'EMAIL_HAS_KEY_FOR_OTHER_COMPANY',
  HOST_REGISTERED_WITH_OTHER_DETAILS: 'HOST_REGISTERED_WITH_OTHER_DETAILS',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The stable numbers of docs/errors.md#numbered-codes, keyed by their machine code. */
export const LICENSING_CODES: Partial<Record<ErrorCode, number>> = {
  COUPON_NEEDS_KEY: 1003,
  NO_FREE_LICENSE: 1051,
  ALREADY_REGISTERED: 1059,
  LICENSE_NOT_ON_KEY: 2008,
  EMAIL_HAS_KEY_FOR_OTHER_COMPANY: 2022,
  HOST_REGISTERED_WITH_OTHER_DETAILS: 2051,
};

/** The codes that may pass from a subgraph through the gateway unmasked. */
export const PUBLIC_ERROR_CODES: ReadonlySet<string> = new Set([
  ...Object.values(ErrorCode),
  // graphql-js / Apollo's own request errors
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);
