import { Inject, Injectable, Logger, NestMiddleware, Optional } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { ErrorCode } from '@licensing/graphql';
import { graphqlSeries, Metrics, operationLabel, rateLimitHeaders } from '@licensing/platform';
import { GatewayConfig } from '../config';
import { batchRefusal } from '../limits/batch';
import { RateLimiter } from '../limits/rate-limiter';
import { GatewayRequest, requestIdOf, runWithRequestId } from '../request-context';
import { ApiKeyLookupError } from './api-key-resolver';
import { Authenticator } from './authenticator';
import { InvalidTokenError } from './token';

function send(
  res: Response,
  status: number,
  code: string,
  message: string,
  requestId: string,
  extra: Record<string, unknown> = {},
): void {
  res.status(status).json({ errors: [{ message, extensions: { code, ...extra, requestId } }] });
}

/**
 * Runs on /graphql before Apollo: refuses batched bodies, resolves the caller's identity
 * from the bearer token, rate-limits token-less (application) calls per client address,
 * and runs the rest of the request with its id in async context for error formatting.
 */
@Injectable()
export class AuthMiddleware implements NestMiddleware {
  private readonly logger = new Logger('Auth');
  private readonly refusals?: ReturnType<typeof graphqlSeries>['errors'];

  constructor(
    private readonly authenticator: Authenticator,
    private readonly limiter: RateLimiter,
    @Inject(GatewayConfig) private readonly config: GatewayConfig,
    @Optional() @Inject(Metrics) metrics?: Metrics,
  ) {
    this.refusals = metrics && graphqlSeries(metrics).errors;
  }

  async use(req: GatewayRequest, res: Response, next: NextFunction): Promise<void> {
    const requestId = requestIdOf(req);
    const clientIp = req.ip ?? req.socket.remoteAddress ?? '';
    // Refusals here never reach Apollo; they are counted with its errors, by code.
    const sendError: typeof send = (response, status, code, ...rest) => {
      const name = (req.body as { operationName?: unknown } | undefined)?.operationName;
      this.refusals?.inc({ operation: operationLabel(typeof name === 'string' ? name : undefined), code });
      send(response, status, code, ...rest);
    };

    const batch = batchRefusal(req.body);
    if (batch) return sendError(res, 400, ErrorCode.BAD_USER_INPUT, batch, requestId);

    let identity;
    try {
      identity = await this.authenticator.identify(req.header('authorization'), requestId);
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        return sendError(res, 401, ErrorCode.UNAUTHENTICATED, error.message, requestId);
      }
      const reason = error instanceof ApiKeyLookupError ? error.message : String(error);
      this.logger.error(`request ${requestId}: authentication unavailable: ${reason}`);
      return sendError(
        res,
        503,
        ErrorCode.INTERNAL_SERVER_ERROR,
        `Authentication is unavailable (request id ${requestId})`,
        requestId,
      );
    }

    if (identity.kind === 'application') {
      const decision = await this.limiter.take(
        `${this.config.RATE_LIMIT_NAMESPACE}:app:${clientIp}`,
        this.config.APP_RATE_LIMIT_PER_MINUTE,
      );
      if (!decision.allowed) {
        res.set(rateLimitHeaders(this.config.APP_RATE_LIMIT_PER_MINUTE, decision.retryAfterSeconds));
        return sendError(
          res,
          429,
          ErrorCode.RATE_LIMITED,
          `Too many requests from this address; retry in ${decision.retryAfterSeconds} s`,
          requestId,
          { retryAfterSeconds: decision.retryAfterSeconds },
        );
      }
    }

    req.licensing = { identity, requestId, clientIp };
    runWithRequestId(requestId, next);
  }
}
