import type { NextFunction, Request, Response } from 'express';
import { REQUEST_ID_HEADER, RequestContext } from '@licensing/identity';
import { chooseRequestId } from '@licensing/telemetry';

// One request id store for the process (libs/telemetry): log lines read it too.
export { chooseRequestId, currentRequestId, runWithRequestId } from '@licensing/telemetry';
export { ACCEPTABLE_REQUEST_ID as CLIENT_REQUEST_ID } from '@licensing/telemetry';

/** What the gateway keeps on the Express request. */
export interface GatewayRequest extends Request {
  requestId?: string;
  /** Set once the caller is authenticated; signed into the identity header for subgraphs. */
  licensing?: RequestContext;
}

/** The context Apollo passes to plugins and data sources. */
export interface GatewayContext {
  req?: GatewayRequest;
}

/**
 * First middleware of the application (before body parsing, so even a malformed body gets
 * an answer that names its id): gives the request its id and echoes it in `x-request-id`.
 * The id then travels to every subgraph (`x-request-id` and the signed identity header)
 * and, through their outboxes, onto the Kafka messages the request causes.
 */
export function requestIdMiddleware(req: GatewayRequest, res: Response, next: NextFunction): void {
  const requestId = chooseRequestId(req.header(REQUEST_ID_HEADER));
  req.requestId = requestId;
  res.setHeader(REQUEST_ID_HEADER, requestId);
  next();
}

export function requestIdOf(req: GatewayRequest): string {
  if (!req.requestId) req.requestId = chooseRequestId(req.header(REQUEST_ID_HEADER));
  return req.requestId;
}
