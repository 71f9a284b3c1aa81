import { readFileSync } from 'node:fs';
import { ApolloGatewayDriver, ApolloGatewayDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Logger, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import Redis from 'ioredis';
import { formatGraphQLError } from '@licensing/graphql';
import { Authenticator } from './auth/authenticator';
import { RequestContextMiddleware } from './auth/request-context.middleware';
import { GatewayConfig } from './config';
import { GatewayHealthController } from './health.controller';
import { queryLimitsPlugin } from './limits/limits.plugin';
import { GATEWAY_REDIS, RateLimiter } from './limits/rate-limiter';
import { requestIdPlugin } from './request-id.plugin';
import { SignedSubgraphDataSource } from './subgraph-data-source';

function subgraphUrls(config: GatewayConfig): Record<string, string> {
  return {
    keys: config.KEYS_URL,
    coupons: config.COUPONS_URL,
    sessions: config.SESSIONS_URL,
    notifications: config.NOTIFICATIONS_URL,
  };
}

@Module({})
export class GatewayAppModule implements NestModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    const supergraphSdl = readFileSync(config.SUPERGRAPH_PATH, 'utf8');
    const urls = subgraphUrls(config);
    const production = config.NODE_ENV === 'production';
    const logger = new Logger('Gateway');
    return {
      module: GatewayAppModule,
      imports: [
        GraphQLModule.forRoot<ApolloGatewayDriverConfig>({
          driver: ApolloGatewayDriver,
          server: {
            path: '/graphql',
            playground: false,
            context: ({ req }: { req: unknown }) => ({ req }),
            introspection: config.GRAPHQL_INTROSPECTION === 'true',
            // Refuses batched (array) requests: one HTTP request, one operation.
            allowBatchedHttpRequests: false,
            includeStacktraceInErrorResponses: false,
            // No "Did you mean ...?" hints that map the schema for strangers.
            hideSchemaDetailsFromClientErrors: production,
            formatError: (formatted, error) =>
              formatGraphQLError(formatted, error, {
                onInternalError: (e) => logger.error(e instanceof Error ? (e.stack ?? e.message) : String(e)),
              }),
            plugins: [
              queryLimitsPlugin({
                maxDepth: config.MAX_QUERY_DEPTH,
                maxCost: config.MAX_QUERY_COST,
                maxAliases: config.MAX_ALIASES,
              }),
              requestIdPlugin(),
            ],
          },
          gateway: {
            supergraphSdl,
            buildService: ({ name, url }) =>
              new SignedSubgraphDataSource(urls[name] ?? url ?? '', config.IDENTITY_SIGNING_SECRET),
          },
        }),
      ],
      controllers: [GatewayHealthController],
      providers: [
        { provide: GatewayConfig, useValue: config },
        { provide: GATEWAY_REDIS, useFactory: () => new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 }) },
        Authenticator,
        RateLimiter,
        RequestContextMiddleware,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestContextMiddleware).forRoutes('graphql');
  }
}
