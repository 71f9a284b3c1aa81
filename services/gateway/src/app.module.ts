import { ApolloGatewayDriver, ApolloGatewayDriverConfig } from '@nestjs/apollo';
import {
  DynamicModule,
  Inject,
  Injectable,
  Logger,
  MiddlewareConsumer,
  Module,
  NestModule,
  OnApplicationShutdown,
} from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import Redis from 'ioredis';
import { AuthMiddleware } from './auth/auth.middleware';
import { Authenticator } from './auth/authenticator';
import { GatewayConfig } from './config';
import { textBoundaryPlugin } from '@licensing/graphql';
import { graphqlMetricsPlugin, Metrics, MetricsController, registerRedisMetrics } from '@licensing/platform';
import { formatGatewayError } from './gateway-errors';
import { graphqlLogPlugin, loggerModule } from '@licensing/platform';
import { GatewayHealthController } from './health.controller';
import { queryLimitsPlugin } from './limits/limits.plugin';
import { RateLimiter } from './limits/rate-limiter';
import { sandboxPlugins } from './sandbox';
import { closeGatewayRedis, createGatewayRedis, GATEWAY_REDIS } from './redis';
import { currentRequestId } from './request-context';
import { subgraphServiceBuilder } from './subgraph-data-source';
import { loadSupergraphSdl, SupergraphStatus, supergraphStatusPlugin } from './supergraph';

/** Closes the Redis connection once the HTTP server and Apollo have stopped. */
@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(GATEWAY_REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await closeGatewayRedis(this.redis);
  }
}

/** Routes @apollo/gateway's own log lines through Nest's logger (and its LOG_LEVEL). */
function gatewayLogger(logger: Logger) {
  return {
    debug: (message?: unknown) => logger.debug(String(message)),
    info: (message?: unknown) => logger.log(String(message)),
    warn: (message?: unknown) => logger.warn(String(message)),
    error: (message?: unknown) => logger.error(String(message)),
  };
}

@Module({})
export class GatewayAppModule implements NestModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    const supergraphSdl = loadSupergraphSdl(config.SUPERGRAPH_PATH);
    const production = config.NODE_ENV === 'production';
    const status = new SupergraphStatus();
    const logger = new Logger('Gateway');
    const metrics = new Metrics('gateway');
    return {
      module: GatewayAppModule,
      imports: [
        loggerModule('gateway', config),
        GraphQLModule.forRoot<ApolloGatewayDriverConfig>({
          driver: ApolloGatewayDriver,
          server: {
            path: '/graphql',
            playground: false,
            context: ({ req }: { req: unknown }) => ({ req }),
            // Introspection is gated by queryLimitsPlugin, which refuses it with FORBIDDEN;
            // Apollo's own switch would answer GRAPHQL_VALIDATION_FAILED instead.
            introspection: true,
            // The auth middleware refuses array bodies first, with a clearer error.
            allowBatchedHttpRequests: false,
            // No automatic persisted queries: a request naming one gets PERSISTED_QUERY_NOT_SUPPORTED.
            persistedQueries: false,
            includeStacktraceInErrorResponses: false,
            // No "Did you mean ...?" hints that map the schema for strangers.
            hideSchemaDetailsFromClientErrors: production,
            // Bounds parsing and validation work before any of the limits below.
            parseOptions: { maxTokens: config.MAX_QUERY_TOKENS },
            formatError: (formatted, error) =>
              formatGatewayError(formatted, error, {
                production,
                requestId: currentRequestId(),
                onInternalError: (e) => logger.error({ msg: 'internal error', err: e }),
              }),
            plugins: [
              // Error codes onto the access line; the subgraphs log their own refusals.
              graphqlLogPlugin(logger, { logRefusals: false }),
              graphqlMetricsPlugin(metrics),
              textBoundaryPlugin(),
              queryLimitsPlugin({
                maxDepth: config.MAX_QUERY_DEPTH,
                maxCost: config.MAX_QUERY_COST,
                maxAliases: config.MAX_ALIASES,
                introspection: config.GRAPHQL_INTROSPECTION === 'true',
                operatorIntrospection: !production,
              }),
              supergraphStatusPlugin(status),
              ...sandboxPlugins(production),
            ],
          },
          gateway: {
            supergraphSdl,
            buildService: subgraphServiceBuilder(config, (name, url) => status.subgraphs.set(name, url)),
            logger: gatewayLogger(logger),
          },
        }),
      ],
      controllers: [GatewayHealthController, MetricsController],
      providers: [
        { provide: GatewayConfig, useValue: config },
        { provide: SupergraphStatus, useValue: status },
        { provide: Metrics, useValue: metrics },
        {
          provide: GATEWAY_REDIS,
          useFactory: () => {
            const redis = createGatewayRedis(config.REDIS_URL);
            registerRedisMetrics(metrics, redis);
            return redis;
          },
        },
        { provide: RateLimiter, useFactory: (redis: Redis) => new RateLimiter(redis), inject: [GATEWAY_REDIS] },
        RedisLifecycle,
        Authenticator,
        AuthMiddleware,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuthMiddleware).forRoutes('graphql');
  }
}
