import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode } from '@licensing/graphql';
import type { GatewayContext } from './subgraph-data-source';

/**
 * Puts the request id on every error, so a customer can quote it and support can find
 * the logs; masked internal errors name it in their message too.
 */
export function requestIdPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    requestDidStart: async () => ({
      willSendResponse: async ({ response, contextValue }) => {
        const requestId = contextValue.req?.licensing?.requestId;
        if (!requestId || response.body.kind !== 'single' || !response.body.singleResult.errors) return;
        response.body.singleResult.errors = response.body.singleResult.errors.map((e) => ({
          ...e,
          message:
            e.extensions?.['code'] === ErrorCode.INTERNAL_SERVER_ERROR && !e.message.includes(requestId)
              ? `Internal server error (request id ${requestId})`
              : e.message,
          extensions: { ...e.extensions, requestId },
        }));
      },
    }),
  };
}
