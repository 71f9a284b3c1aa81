import type { ApolloServerPlugin } from '@apollo/server';
import { RateLimitedError } from '@licensing/graphql';

/** The headers of a refusal by a throttle (IETF RateLimit fields, plus Retry-After). */
export const RATE_LIMIT_HEADERS = ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after'] as const;

/** Their values for a refusal: nothing remains until the window resets in `resetSeconds`. */
export function rateLimitHeaders(limit: number | undefined, resetSeconds: number): Record<string, string> {
  const reset = String(Math.max(1, Math.ceil(resetSeconds)));
  return {
    ...(limit !== undefined ? { 'ratelimit-limit': String(limit) } : {}),
    'ratelimit-remaining': '0',
    'ratelimit-reset': reset,
    'retry-after': reset,
  };
}

/**
 * A subgraph whose throttle refused the request (a RateLimitedError) answers with the
 * RateLimit headers on its HTTP response; the gateway passes them on to the client.
 */
export function rateLimitHeadersPlugin(): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didEncounterErrors: ({ errors, response }) => {
          for (const e of errors) {
            const refusal = e instanceof RateLimitedError ? e : e.originalError;
            if (refusal instanceof RateLimitedError) {
              const headers = rateLimitHeaders(refusal.limit, refusal.retryAfterSeconds);
              for (const [name, value] of Object.entries(headers)) response.http.headers.set(name, value);
            }
          }
          return Promise.resolve();
        },
      }),
  };
}
