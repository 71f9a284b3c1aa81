import type { NextFunction, Request, Response } from 'express';
import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface';
import { REQUEST_ID_HEADER } from '@licensing/identity';
import { RATE_LIMIT_HEADERS } from '@licensing/platform';

export { corsOrigins, DEVELOPMENT_ORIGINS } from '@licensing/platform';

/** The request headers the gateway reads, which a browser must be allowed to send. */
export const ALLOWED_REQUEST_HEADERS = [
  'authorization',
  'content-type',
  REQUEST_ID_HEADER,
  // Apollo's CSRF prevention and client identification headers.
  'apollo-require-preflight',
  'x-apollo-operation-name',
  // W3C trace context, so a front end's trace continues through the gateway.
  'traceparent',
  'tracestate',
];

/** What a page may read from a response. */
export const EXPOSED_RESPONSE_HEADERS = [REQUEST_ID_HEADER, ...RATE_LIMIT_HEADERS];

/**
 * Options for Nest's enableCors: exactly the listed origins, with credentials; a preflight
 * from one of them is answered 204 with the allowed methods and headers, cached 10 minutes.
 * A request from any other origin gets no Access-Control-* header (the browser refuses it).
 */
export function corsOptions(origins: readonly string[]): CorsOptions {
  const allowed = new Set(origins);
  return {
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin.toLowerCase())),
    credentials: true,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ALLOWED_REQUEST_HEADERS,
    exposedHeaders: EXPOSED_RESPONSE_HEADERS,
    maxAge: 600,
    optionsSuccessStatus: 204,
    preflightContinue: false,
  };
}

/**
 * After the CORS middleware: a preflight it did not answer comes from an origin that is not
 * allowed (or from no browser). It is answered here, 403 without Access-Control-* headers,
 * instead of reaching the GraphQL server, the authentication and the rate limiter.
 */
export function refuseOtherPreflights(req: Request, res: Response, next: NextFunction): void {
  // Every answer depends on the origin, allowed or not, so caches keep them apart.
  res.vary('Origin');
  if (req.method !== 'OPTIONS') return next();
  res.status(req.header('origin') ? 403 : 204).end();
}
