import { ApolloFederationDriver, ApolloFederationDriverConfig } from '@nestjs/apollo';
import {
  DynamicModule,
  Global,
  Logger,
  MiddlewareConsumer,
  Module,
  NestModule,
  Provider,
  RequestMethod,
  Type,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE, ModuleRef } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { ServiceConfig } from '@licensing/config';
import { ensureDatabase, runMigrations, serviceDataSourceOptions } from '@licensing/database';
import { formatGraphQLError, textBoundaryPlugin } from '@licensing/graphql';
import { AccessGuard, LicensingRequest } from '@licensing/identity';
import { HealthCheck, HealthController } from './health';
import { IdentityMiddleware } from './identity.middleware';
import { HEALTH_CHECKS, REDIS, SERVICE_CONFIG, SERVICE_NAME } from './tokens';
import { RetentionService } from './retention';
import { inputValidationPipe } from './validation';
import { GraphQLErrorsPassThrough, graphqlLogPlugin, loggerModule } from './logging';
import { Metrics } from './metrics/metrics';
import { graphqlMetricsPlugin } from './metrics/graphql-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { SubgraphMetrics } from './metrics/subgraph-metrics.provider';
import { rateLimitHeadersPlugin } from './rate-limit-headers';

export type ServiceName = 'keys' | 'coupons' | 'sessions' | 'notifications';

export interface SubgraphOptions {
  service: ServiceName;
  config: ServiceConfig;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
  /** Providers (defined elsewhere, e.g. MessagingLifecycle) that add readiness checks. */
  healthChecks?: Type<HealthCheckProvider>[];
}

/** A provider class that contributes readiness checks. */
export interface HealthCheckProvider {
  healthChecks(): HealthCheck[];
}

/**
 * Everything a subgraph service shares: validated config, its own Postgres database
 * (created if missing, migrated under an advisory lock), Redis, the federation driver with
 * the one error mapping, the identity middleware (on every route but the health probes), the
 * access guard, input validation and the /health readiness probe.
 */
@Global()
@Module({})
export class SubgraphModule implements NestModule {
  static forRoot(options: SubgraphOptions): DynamicModule {
    const { config, service } = options;
    const migrate = config.MIGRATE_ON_BOOT === 'true';
    const graphqlLogger = new Logger(`${service}:graphql`);
    const metrics = new Metrics(service);

    // The providers' own checks join when the application has started (LateHealthChecks), so
    // a provider of any feature module can add some, not only one visible to this module.
    const healthChecks: Provider = {
      provide: HEALTH_CHECKS,
      inject: [getDataSourceToken(), REDIS],
      useFactory: (dataSource: DataSource, redis: Redis): HealthCheck[] => [
        { name: 'database', check: async () => void (await dataSource.query('SELECT 1')) },
        { name: 'redis', check: async () => void (await redis.ping()) },
      ],
    };
    const lateHealthChecks: Provider = {
      provide: LateHealthChecks,
      inject: [HEALTH_CHECKS, ModuleRef],
      useFactory: (checks: HealthCheck[], moduleRef: ModuleRef) =>
        new LateHealthChecks(checks, moduleRef, options.healthChecks ?? []),
    };

    return {
      module: SubgraphModule,
      imports: [
        loggerModule(service, config),
        TypeOrmModule.forRootAsync({
          useFactory: () =>
            serviceDataSourceOptions({
              url: config.DATABASE_URL,
              service,
              entities: options.entities,
              migrations: options.migrations,
            }),
          dataSourceFactory: async (dsOptions) => {
            if (!dsOptions) throw new Error('no data source options');
            await ensureDatabase(config.DATABASE_URL);
            const dataSource = await new DataSource(dsOptions).initialize();
            if (migrate) {
              const applied = await runMigrations(dataSource, service);
              if (applied.length) new Logger(service).log(`applied migrations: ${applied.join(', ')}`);
            }
            return dataSource;
          },
        }),
        GraphQLModule.forRoot<ApolloFederationDriverConfig>({
          driver: ApolloFederationDriver,
          autoSchemaFile: { federation: 2 },
          sortSchema: true,
          path: '/graphql',
          playground: false,
          introspection: true,
          context: ({ req }: { req: LicensingRequest }) => ({ req }),
          // What gets masked is logged once, at error with its stack (and the request id).
          formatError: (formatted, error) =>
            formatGraphQLError(formatted, error, {
              onInternalError: (e) => graphqlLogger.error({ msg: 'internal error', err: e }),
            }),
          // Tracing is for Apollo's cloud reporting, which this platform does not use.
          plugins: [
            ApolloServerPluginInlineTraceDisabled(),
            graphqlMetricsPlugin(metrics),
            rateLimitHeadersPlugin(),
            textBoundaryPlugin(),
            graphqlLogPlugin(graphqlLogger, { logRefusals: true }),
          ],
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: SERVICE_NAME, useValue: service },
        { provide: Metrics, useValue: metrics },
        SubgraphMetrics,
        {
          provide: REDIS,
          // Auto-pipelining: commands issued in the same tick share one write and one read,
          // which is most of a Redis call's cost when the runtime endpoint is busy. Nothing
          // on this connection blocks (no BLPOP/XREAD BLOCK/SUBSCRIBE), so nothing waits behind one.
          useFactory: () =>
            new Redis(config.REDIS_URL, {
              lazyConnect: false,
              maxRetriesPerRequest: 2,
              enableOfflineQueue: true,
              enableAutoPipelining: true,
            }),
        },
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_FILTER, useClass: GraphQLErrorsPassThrough },
        { provide: APP_PIPE, useFactory: inputValidationPipe },
        healthChecks,
        lateHealthChecks,
        IdentityMiddleware,
        RedisShutdown,
        RetentionService,
      ],
      exports: [SERVICE_CONFIG, SERVICE_NAME, REDIS, Metrics],
    };
  }

  /**
   * Every route answers only the gateway, but the health probes, which orchestrators call
   * directly, and /metrics, which Prometheus scrapes.
   */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(IdentityMiddleware)
      .exclude(
        { path: 'health', method: RequestMethod.GET },
        { path: 'health/*path', method: RequestMethod.GET },
        { path: 'metrics', method: RequestMethod.GET },
      )
      .forRoutes({ path: '*path', method: RequestMethod.ALL });
  }
}

import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

/** Adds the checks of providers from any module (e.g. a feature's relay) once all exist. */
class LateHealthChecks implements OnApplicationBootstrap {
  constructor(
    private readonly checks: HealthCheck[],
    private readonly moduleRef: ModuleRef,
    private readonly providers: Type<HealthCheckProvider>[],
  ) {}

  onApplicationBootstrap(): void {
    for (const type of this.providers) this.checks.push(...this.moduleRef.get(type, { strict: false }).healthChecks());
  }
}

@Injectable()
class RedisShutdown implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
