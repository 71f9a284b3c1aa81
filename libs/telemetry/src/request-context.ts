import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** The header that carries the request id: client → gateway → subgraph, and on Kafka messages. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** A request id a client may choose (a support ticket number, a trace id). */
export const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/;

/** The given id when it is acceptable, otherwise a fresh uuid. */
export function chooseRequestId(given: string | undefined | null): string {
  return typeof given === 'string' && ACCEPTABLE_REQUEST_ID.test(given) ? given : randomUUID();
}

interface RequestScope {
  requestId: string;
}

/**
 * The request (or Kafka message) being handled, for code that has no request object at
 * hand: log lines, the outbox (which copies the id onto the event's message), error
 * formatting. One store for the whole process, so every library sees the same id.
 */
const scope = new AsyncLocalStorage<RequestScope>();

export function currentRequestId(): string | undefined {
  return scope.getStore()?.requestId;
}

/** Runs `fn` (and everything it starts) with `requestId` as the current request id. */
export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return scope.run({ requestId }, fn);
}
