import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { REQUEST_ID_HEADER, RequestContext } from '@licensing/identity';

/** A request id a client may choose (a support ticket number, a trace id). */
export const CLIENT_REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/;

/** The client's id when it is acceptable, otherwise a fresh uuid. */
export function chooseRequestId(given: string | undefined): string {
  return given !== undefined && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
}

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
 * The request being served, for code that has no request object at hand: Apollo's
 * `formatError` gets only the error, yet every error must name the request id.
 */
const store = new AsyncLocalStorage<{ requestId: string }>();

export function currentRequestId(): string | undefined {
  return store.getStore()?.requestId;
}

/** Runs `fn` (the rest of the middleware chain) with the request id visible to `currentRequestId`. */
export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return store.run({ requestId }, fn);
}

/**
 * First middleware of the application (before body parsing, so even a malformed body gets
 * an answer that names its id): gives the request its id and echoes it in `x-request-id`.
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
