import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ServiceConfig } from '@licensing/config';
import { ALL_TOPICS } from '@licensing/events';
import { ConsumerLagProbe, EventConsumer, KafkaSettings, OutboxRelay, ensureTopics } from '@licensing/kafka';
import { cached, Metrics, probe } from './metrics/metrics';
import type { HealthCheck } from './health';
import type { HealthCheckProvider, ServiceName } from './subgraph.module';

export const KAFKA_SETTINGS = Symbol('KAFKA_SETTINGS');
/** How long boot waits for Kafka before going on without it. */
const KAFKA_BOOT_WAIT_MS = 5_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
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
  /** The service's consumer with its handlers (made at bootstrap); `consuming` once it started. */
  private consumer?: EventConsumer;
  private consuming = false;
  private connecting?: Promise<void>;
  private topicsReady = false;
  private stopped = false;
  private kafkaError?: string;
  private lagProbe?: ConsumerLagProbe;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions & { handlers: HandlerClass[] },
    private readonly moduleRef: ModuleRef,
    @Optional() @Inject(Metrics) private readonly metrics?: Metrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.handlers.length) {
      this.consumer = this.createConsumer();
      this.registerLagMetric(this.consumer.topics);
    }
    // The relay needs only Postgres: writes and their events are kept while Kafka is away.
    this.relay = new OutboxRelay({
      dataSource: this.dataSource,
      settings: this.settings,
      pollIntervalMs: this.options.config.OUTBOX_POLL_MS,
      logger: this.logger,
    });
    await this.relay.start();
    // Kafka is waited for briefly, then in the background: a service whose broker is down
    // still boots and serves, and reports itself degraded until the broker is back.
    this.connecting = this.connectKafka();
    await Promise.race([this.connecting, sleep(KAFKA_BOOT_WAIT_MS)]);
  }

  /** Creates the topics and starts the consumer group, retrying until it works or the app stops. */
  private async connectKafka(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        if (!this.topicsReady) {
          await ensureTopics(this.settings, [...ALL_TOPICS], { logger: this.logger });
          this.topicsReady = true;
        }
        if (this.options.handlers.length && !this.stopped) await this.startConsumer();
        this.kafkaError = undefined;
        return;
      } catch (error) {
        this.kafkaError = error instanceof Error ? error.message : String(error);
        this.logger.warn(`Kafka not reachable yet (attempt ${attempt}): ${this.kafkaError}`);
        await sleep(Math.min(5_000, 500 * attempt));
      }
    }
  }

  /**
   * kafka_consumer_lag{topic, partition}: what the group has yet to consume, read from the
   * broker when Prometheus scrapes (at most every 5 s), so a stuck consumer shows as growing lag.
   */
  private registerLagMetric(topics: readonly string[]): void {
    if (!this.metrics) return;
    this.lagProbe = new ConsumerLagProbe(this.settings, this.groupId(), topics, this.logger);
    const read = cached(5_000, () => probe(() => this.lagProbe!.read()));
    this.metrics.gauge<'topic' | 'partition'>({
      name: 'kafka_consumer_lag',
      help: 'Messages of a topic partition this service has not consumed yet',
      labelNames: ['topic', 'partition'],
      async collect() {
        const lags = await read();
        if (!lags) return;
        this.reset();
        for (const { topic, partition, lag } of lags) this.set({ topic, partition: String(partition) }, lag);
      },
    });
  }

  private groupId(): string {
    return `${this.options.service}-service`;
  }

  /**
   * The consumer group of the service, reading the topics of the event types its handlers
   * take (the keys service's topic for a read model, every topic for webhooks), so no service
   * spends time on events it would only skip.
   */
  private createConsumer(): EventConsumer {
    const consumer = new EventConsumer({
      dataSource: this.dataSource,
      settings: this.settings,
      groupId: this.groupId(),
      consumerName: this.options.service,
      logger: this.logger,
    });
    // Handlers are providers of the service's feature modules, with their services injected.
    for (const cls of this.options.handlers) this.moduleRef.get(cls, { strict: false }).register(consumer);
    return consumer;
  }

  private async startConsumer(): Promise<void> {
    await this.consumer!.start();
    this.consuming = true;
  }

  /** Before the database closes: finish the in-flight batch and leave the group. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.consumer?.stop();
    await this.relay?.stop();
    await this.lagProbe?.close();
  }

  /**
   * Kafka is not needed to serve requests (writes wait in the outbox), so its checks are not
   * critical: readiness stays 200 and reports the service degraded, with the reason.
   */
  healthChecks(): HealthCheck[] {
    const notConnected = () => new Error(`not connected to Kafka${this.kafkaError ? `: ${this.kafkaError}` : ''}`);
    return [
      {
        name: 'kafka-outbox',
        critical: false,
        check: async () => {
          if (!this.relay) throw new Error('not started');
          await this.relay.health();
        },
      },
      ...(this.options.handlers.length
        ? [
            {
              name: 'kafka-consumer',
              critical: false,
              check: async () => {
                if (!this.consumer || !this.consuming) throw notConnected();
                await this.consumer.health();
              },
            },
          ]
        : []),
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
