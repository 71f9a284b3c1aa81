/**
 * Errors of the SDK. Refusals of the platform keep its error code (`NO_FREE_LICENSE`,
 * `LICENSE_NOT_ON_KEY`, `SESSION_ENDED`, `BAD_USER_INPUT`, …, docs/errors.md) and, where it
 * has one, the number end users are shown (`licensingCode`: 1051, 2008). Failures on this side
 * have codes of their own, listed in SdkErrorCode.
 */

/** Codes the SDK itself raises (the platform's codes come from its answers). */
export const SdkErrorCode = {
  /** The endpoint could not be reached, timed out, or answered 5xx / 429: retriable. */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** A lease token or check signature that does not verify with the vendor's keys. */
  INVALID_SIGNATURE: 'INVALID_SIGNATURE',
  /** A lease token whose expiry has passed. */
  LEASE_EXPIRED: 'LEASE_EXPIRED',
  /** An answer that is not what the runtime endpoint documents. */
  BAD_RESPONSE: 'BAD_RESPONSE',
  /** A call on a lease that was released or lost. */
  LEASE_ENDED: 'LEASE_ENDED',
} as const;

export interface LicensingErrorDetails {
  /** The HTTP status of the refusal; absent when no answer came. */
  status?: number;
  /** The number shown to end users (1051: no free seat, 2008: no license in force). */
  licensingCode?: number;
  /** The request field at fault (`host.fingerprint`). */
  field?: string;
  /** The platform's reason (SESSION_ENDED: TERMINATED, EXPIRED, …; 2008: EXPIRED, NO_LICENSE, …). */
  reason?: string;
  /** Whether trying again later may succeed (network errors, 5xx, 429). */
  retriable?: boolean;
  /** Seconds the server asked to wait (429). */
  retryAfterSeconds?: number;
  /** Anything else the error answer carried (e.g. `seats` of 1051). */
  extra?: Record<string, unknown>;
  cause?: unknown;
}

export class LicensingError extends Error {
  readonly status?: number;
  readonly licensingCode?: number;
  readonly field?: string;
  readonly reason?: string;
  readonly retriable: boolean;
  readonly retryAfterSeconds?: number;
  readonly extra: Record<string, unknown>;

  constructor(
    /** The platform's error code, or one of SdkErrorCode. */
    readonly code: string,
    message: string,
    details: LicensingErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'LicensingError';
    this.status = details.status;
    this.licensingCode = details.licensingCode;
    this.field = details.field;
    this.reason = details.reason;
    this.retriable = details.retriable ?? false;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.extra = details.extra ?? {};
  }
}

/** The error of a non-200 answer `{ error: { code, licensingCode?, message, field?, … } }`. */
export function errorFromAnswer(status: number, body: unknown): LicensingError {
  const error = (body as { error?: Record<string, unknown> } | undefined)?.error;
  if (!error || typeof error['code'] !== 'string') {
    return new LicensingError(SdkErrorCode.BAD_RESPONSE, `The endpoint answered ${status} without an error body`, {
      status,
      retriable: status >= 500,
    });
  }
  const { code, message, licensingCode, field, reason, retryAfterSeconds, ...extra } = error;
  return new LicensingError(code as string, typeof message === 'string' ? message : String(code), {
    status,
    licensingCode: typeof licensingCode === 'number' ? licensingCode : undefined,
    field: typeof field === 'string' ? field : undefined,
    reason: typeof reason === 'string' ? reason : undefined,
    retryAfterSeconds: typeof retryAfterSeconds === 'number' ? retryAfterSeconds : undefined,
    retriable: status >= 500 || status === 429,
    extra,
  });
}
