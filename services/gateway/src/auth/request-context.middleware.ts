import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '@licensing/graphql';
import { LicensingRequest, REQUEST_ID_HEADER } from '@licensing/identity';
import { GatewayConfig } from '../config';
import { RateLimiter } from '../limits/rate-limiter';
import { Authenticator, InvalidTokenError } from './authenticator';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/;

function graphqlError(res: Response, status: number, code: string, message: string, requestId: string, extra = {}): void {
  res.status(status).json({ errors: [{ message, extensions: { code, requestId, ...extra } }] });
}

/**
 * Runs before GraphQL: gives the request its id (echoed in `x-request-id`), resolves the
 * caller's identity from the bearer token, and rate-limits token-less application calls
 * per client address.
 */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  private readonly logger = new Logger('Gateway');

  constructor(
    private readonly authenticator: Authenticator,
    private readonly limiter: RateLimiter,
    @Inject(GatewayConfig) private readonly config: GatewayConfig,
  ) {}

  async use(req: Request & LicensingRequest, res: Response, next: NextFunction): Promise<void> {
    const given = req.header(REQUEST_ID_HEADER);
    const requestId = given && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const clientIp = req.ip ?? req.socket.remoteAddress ?? '';
    try {
      const identity = await this.authenticator.identify(req.header('authorization'), requestId);
      if (identity.kind === 'application') {
        const decision = await this.limiter.take(`${this.config.RATE_LIMIT_NAMESPACE}:app:${clientIp}`, this.config.APP_RATE_LIMIT_PER_MINUTE);
        if (!decision.allowed) {
          res.setHeader('retry-after', String(decision.retryAfterSeconds));
          return graphqlError(res, 429, ErrorCode.RATE_LIMITED, 'Too many requests from this address', requestId, {
            retryAfterSeconds: decision.retryAfterSeconds,
          });
        }
      }
      req.licensing = { identity, requestId, clientIp };
      next();
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        return graphqlError(res, 401, ErrorCode.UNAUTHENTICATED, error.message, requestId);
      }
      this.logger.error(`request ${requestId}: authentication failed: ${(error as Error).message}`);
      return graphqlError(res, 503, ErrorCode.INTERNAL_SERVER_ERROR, `Authentication is unavailable (request id ${requestId})`, requestId);
    }
  }
}
