import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '@licensing/graphql';
import type { GatewayContext } from '../request-context';
import { cachedSchemaFieldFacts, measureOperation } from './operation-analysis';

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  /** GRAPHQL_INTROSPECTION: whether `__schema` / `__type` may be asked, by anyone. */
  introspection: boolean;
  /** Outside production: the platform operator may introspect even when `introspection` is off. */
  operatorIntrospection?: boolean;
}

function isOperator(context: unknown): boolean {
  return (context as GatewayContext | undefined)?.req?.licensing?.identity.kind === 'operator';
}

function tooComplex(message: string, details: Record<string, number>): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, ...details, http: { status: 400 } },
  });
}

export const INTROSPECTION_DISABLED_MESSAGE = 'Introspection is disabled on this gateway';

/**
 * Refuses, after validation and before the query planner or any subgraph is involved,
 * operations that are too deep, too costly (fields weighted by the page sizes of the lists
 * around them) or use too many aliases — the usual ways to make one request do the work of
 * thousands — and introspection unless it is enabled.
 */
export function queryLimitsPlugin(limits: QueryLimits): ApolloServerPlugin {
  return {
    requestDidStart: async () => ({
      didResolveOperation: async ({ document, request, schema, operation, contextValue }) => {
        // Apollo leaves `operation` unset when operationName names nothing or the document
        // holds several operations and no name; the gateway would fail on it with a 500.
        if (!operation) {
          throw new GraphQLError(
            request.operationName
              ? `The document has no operation named "${request.operationName}"`
              : 'The document holds several operations: name one with operationName',
            { extensions: { code: ErrorCode.OPERATION_RESOLUTION_FAILURE, http: { status: 400 } } },
          );
        }
        // The supergraph has no subscriptions; the gateway would fail on one with a 500.
        if (operation.operation === 'subscription') {
          throw new GraphQLError('This API has no subscriptions: events reach partners through Kafka and webhooks', {
            extensions: { code: ErrorCode.BAD_REQUEST, http: { status: 400 } },
          });
        }
        const measures = measureOperation(
          document,
          request.operationName,
          request.variables ?? {},
          cachedSchemaFieldFacts(schema, document),
        );
        const mayIntrospect =
          limits.introspection || (limits.operatorIntrospection === true && isOperator(contextValue));
        if (measures.introspection && !mayIntrospect) {
          throw new GraphQLError(INTROSPECTION_DISABLED_MESSAGE, {
            extensions: { code: ErrorCode.FORBIDDEN, http: { status: 403 } },
          });
        }
        if (measures.depth > limits.maxDepth) {
          throw tooComplex(`Query depth ${measures.depth} exceeds the limit of ${limits.maxDepth}`, {
            depth: measures.depth,
            limit: limits.maxDepth,
          });
        }
        if (measures.aliases > limits.maxAliases) {
          throw tooComplex(`The query uses ${measures.aliases} aliases; the limit is ${limits.maxAliases}`, {
            aliases: measures.aliases,
            limit: limits.maxAliases,
          });
        }
        if (measures.cost > limits.maxCost) {
          throw tooComplex(`Query cost ${measures.cost} exceeds the limit of ${limits.maxCost}`, {
            cost: measures.cost,
            limit: limits.maxCost,
          });
        }
      },
    }),
  };
}
