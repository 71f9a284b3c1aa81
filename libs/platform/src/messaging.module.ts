import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ServiceConfig } from '@licensing/config';
import { ALL_TOPICS } from '@licensing/events';
import { EventConsumer, KafkaSettings, OutboxRelay, ensureTopics } from '@licensing/kafka';
import type { HealthCheck } from './health';
import type { HealthCheckProvider, ServiceName } from './subgraph.module';

export const KAFKA_SETTINGS = Symbol('KAFKA_SETTINGS');
const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export interface MessagingOptions {
  service: ServiceName;
  config: ServiceConfig;
}

/**
 * Handlers a service registers for the events it consumes. A service that consumes
 * provides one (or more) classes implementing this and lists them in MessagingModule.
 */
export interface EventHandlerRegistry {
  register(consumer: EventConsumer): void;
}
type HandlerClass = new (...args: never[]) => EventHandlerRegistry;

/** Runs the outbox relay of the service and its consumer group, for the app's lifetime. */
@Injectable()
export class MessagingLifecycle implements OnApplicationBootstrap, OnModuleDestroy, HealthCheckProvider {
  private readonly logger = new Logger('Messaging');
  private relay?: OutboxRelay;
  private consumer?: EventConsumer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions & { handlers: HandlerClass[] },
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await ensureTopics(this.settings, [...ALL_TOPICS]);
    this.relay = new OutboxRelay({
      dataSource: this.dataSource,
      settings: this.settings,
      pollIntervalMs: this.options.config.OUTBOX_POLL_MS,
      logger: this.logger,
    });
    await this.relay.start();
    if (this.options.handlers.length) {
      const consumer = new EventConsumer({
        dataSource: this.dataSource,
        settings: this.settings,
        groupId: `${this.options.service}-service`,
        consumerName: this.options.service,
        topics: [...ALL_TOPICS],
        logger: this.logger,
      });
      // Handlers are providers of the service's own module, with its repositories injected.
      for (const cls of this.options.handlers) this.moduleRef.get(cls, { strict: false }).register(consumer);
      this.consumer = consumer;
      await consumer.start();
    }
  }

  /** Before the database closes: finish the in-flight batch and leave the group. */
  async onModuleDestroy(): Promise<void> {
    await this.consumer?.stop();
    await this.relay?.stop();
  }

  healthChecks(): HealthCheck[] {
    return [
      { name: 'kafka-outbox', check: async () => this.relay?.health() ?? Promise.reject(new Error('not started')) },
      ...(this.consumer ? [{ name: 'kafka-consumer', check: () => this.consumer!.health() }] : []),
    ];
  }
}

@Global()
@Module({})
export class MessagingModule {
  /**
   * `handlers` are classes the service provides in its own module (so they can inject its
   * repositories); the lifecycle looks them up when the application starts.
   */
  static forRoot(options: MessagingOptions & { handlers?: HandlerClass[] }): DynamicModule {
    const settings: KafkaSettings = {
      brokers: options.config.KAFKA_BROKERS.split(',').map((b) => b.trim()),
      clientId: `licensing-${options.service}`,
      topicPrefix: options.config.KAFKA_TOPIC_PREFIX,
    };
    const handlers = options.handlers ?? [];
    return {
      module: MessagingModule,
      providers: [
        { provide: KAFKA_SETTINGS, useValue: settings },
        { provide: MESSAGING_OPTIONS, useValue: { ...options, handlers } },
        MessagingLifecycle,
      ],
      exports: [KAFKA_SETTINGS, MessagingLifecycle],
    };
  }
}
