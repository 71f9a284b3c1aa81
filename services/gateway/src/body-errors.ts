import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '@licensing/graphql';
import { requestIdOf } from './request-context';

/** What body-parser's errors carry: an HTTP status and a type such as `entity.too.large`. */
interface BodyParserError {
  status?: number;
  statusCode?: number;
  type?: string;
}

/**
 * Answers a body the JSON parser refused in GraphQL's error shape, with a code and the
 * request id: 413 PAYLOAD_TOO_LARGE, or 400 BAD_REQUEST for a body that cannot be read as JSON. These
 * are the caller's mistakes, so nothing is logged as an error.
 */
export function bodyErrorHandler(error: unknown, req: Request, res: Response, next: NextFunction): void {
  const e = (typeof error === 'object' && error !== null ? error : {}) as BodyParserError;
  const status = e.status ?? e.statusCode;
  // Every 4xx the parser raises (too large, not JSON, an encoding that does not decode, a
  // charset it does not know) is the caller's; anything else goes on to Nest.
  if (!status || status < 400 || status >= 500) {
    next(error);
    return;
  }
  const tooLarge = e.type === 'entity.too.large' || status === 413;
  res.status(tooLarge ? 413 : 400).json({
    errors: [
      {
        message: tooLarge ? 'The request body is too large' : 'The request body cannot be read as JSON',
        extensions: {
          code: tooLarge ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.BAD_REQUEST,
          requestId: requestIdOf(req),
        },
      },
    ],
  });
}
