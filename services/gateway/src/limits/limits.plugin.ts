import type { ApolloServerPlugin } from '@apollo/server';
import {
  DocumentNode,
  FieldNode,
  getNullableType,
  GraphQLError,
  GraphQLSchema,
  isListType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { ErrorCode } from '@licensing/graphql';
import { measureOperation } from './operation-analysis';

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
}

function tooComplex(message: string, details: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, ...details, http: { status: 400 } },
  });
}

/** Which field nodes of the document return lists, from the schema. */
function listFields(schema: GraphQLSchema, document: DocumentNode): Set<FieldNode> {
  const lists = new Set<FieldNode>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      [Kind.FIELD](node: FieldNode) {
        const type = typeInfo.getType();
        if (type && isListType(getNullableType(type))) lists.add(node);
      },
    }),
  );
  return lists;
}

/**
 * Refuses, before any subgraph is called, operations that are too deep, too costly (fields
 * weighted by the page sizes of the lists around them) or use too many aliases — the
 * usual ways to make one request do the work of thousands.
 */
export function queryLimitsPlugin(limits: QueryLimits): ApolloServerPlugin {
  return {
    requestDidStart: async () => ({
      didResolveOperation: async ({ document, operationName, request, schema }) => {
        const lists = listFields(schema, document);
        const measures = measureOperation(document, operationName, request.variables ?? {}, (f) => lists.has(f));
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
