import { Inject, Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ServiceConfig } from '@licensing/config';
import { IDENTITY_HEADER, IdentityHeaderError, LicensingRequest, verifyIdentityHeader } from '@licensing/identity';
import { ErrorCode } from '@licensing/graphql';
import { chooseRequestId, runWithRequestId } from '@licensing/telemetry';
import { SERVICE_CONFIG } from './tokens';

/**
 * Subgraphs answer only the gateway: a request to any route but the health probe (GraphQL
 * and internal HTTP endpoints alike) without a valid, fresh signature of the gateway is
 * refused before a resolver or controller sees it. The identity it carries is what @Allow
 * rules are checked against.
 */
@Injectable()
export class IdentityMiddleware implements NestMiddleware {
  private readonly logger = new Logger('Identity');

  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  use(req: Request & LicensingRequest, res: Response, next: NextFunction): void {
    try {
      req.licensing = verifyIdentityHeader(this.config.IDENTITY_SIGNING_SECRET, req.header(IDENTITY_HEADER));
    } catch (error) {
      const reason = error instanceof IdentityHeaderError ? error.message : 'Identity header refused';
      this.logger.warn(`${reason} from ${req.ip ?? 'unknown'}`);
      res.status(401).json({
        errors: [
          { message: 'Requests must come through the gateway', extensions: { code: ErrorCode.UNAUTHENTICATED } },
        ],
      });
      return;
    }
    // Every log line and every event this request causes names the gateway's request id.
    runWithRequestId(chooseRequestId(req.licensing.requestId), next);
  }
}
