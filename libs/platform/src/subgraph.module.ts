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
import { APP_GUARD, APP_PIPE } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { ApolloServerPlugin } from '@apollo/server';
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

/** Logs what gets masked, with the request id the gateway assigned. */
function errorLoggingPlugin(service: string): ApolloServerPlugin<{ req?: LicensingRequest }> {
  const logger = new Logger(`${service}:graphql`);
  return {
    requestDidStart: () =>
      Promise.resolve({
        didEncounterErrors: ({ errors, contextValue }) => {
          for (const e of errors) {
            const original = e.originalError;
            if (original && !('code' in original) && !(original as { response?: unknown }).response) {
              logger.error(
                `request ${contextValue.req?.licensing?.requestId ?? '-'}: ${original.stack ?? original.message}`,
              );
            }
          }
          return Promise.resolve();
        },
      }),
  };
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

    const healthChecks: Provider = {
      provide: HEALTH_CHECKS,
      inject: [getDataSourceToken(), REDIS, ...(options.healthChecks ?? [])],
      useFactory: (dataSource: DataSource, redis: Redis, ...providers: HealthCheckProvider[]): HealthCheck[] => [
        { name: 'database', check: async () => void (await dataSource.query('SELECT 1')) },
        { name: 'redis', check: async () => void (await redis.ping()) },
        ...providers.flatMap((p) => p.healthChecks()),
      ],
    };

    return {
      module: SubgraphModule,
      imports: [
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
          formatError: (formatted, error) => formatGraphQLError(formatted, error),
          // Tracing is for Apollo's cloud reporting, which this platform does not use.
          plugins: [ApolloServerPluginInlineTraceDisabled(), textBoundaryPlugin(), errorLoggingPlugin(service)],
        }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: SERVICE_NAME, useValue: service },
        {
          provide: REDIS,
          useFactory: () =>
            new Redis(config.REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true }),
        },
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_PIPE, useFactory: inputValidationPipe },
        healthChecks,
        IdentityMiddleware,
        RedisShutdown,
        RetentionService,
      ],
      exports: [SERVICE_CONFIG, SERVICE_NAME, REDIS],
    };
  }

  /** Every route answers only the gateway, but the health probes, which orchestrators call directly. */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(IdentityMiddleware)
      .exclude({ path: 'health', method: RequestMethod.GET }, { path: 'health/*path', method: RequestMethod.GET })
      .forRoutes({ path: '*path', method: RequestMethod.ALL });
  }
}

import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';

@Injectable()
class RedisShutdown implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
