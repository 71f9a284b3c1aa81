import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ALL_TOPICS, TOPIC_PARTITIONS } from '@licensing/events';
import { EventConsumer, KafkaSettings } from '@licensing/kafka';
import { KAFKA_SETTINGS } from '@licensing/platform';
import { WebhookHandler } from './webhook.handler';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * The webhook fan-out's own consumer group (`notifications-webhooks`), beside the service's
 * main one: fan-out reads every event of every topic, and its backlog never delays e-mails.
 */
@Injectable()
export class WebhookConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhookConsumer');
  private consumer?: EventConsumer;
  private stopped = false;
  private starting?: Promise<void>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    private readonly handler: WebhookHandler,
  ) {}

  onApplicationBootstrap(): void {
    this.starting = this.start();
  }

  private async start(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      const consumer = new EventConsumer({
        dataSource: this.dataSource,
        settings: this.settings,
        groupId: 'notifications-webhooks',
        consumerName: 'notifications-webhooks',
        topics: [...ALL_TOPICS],
        logger: this.logger,
        // Every partition at once, and up to 100 events of a partition in one transaction: the
        // fan-out of a burst was bound by commits (89 events/s with one partition and one
        // commit per event, 127 with every partition; bench/notifications). Events of one key
        // stay in order: they share a partition.
        concurrency: TOPIC_PARTITIONS,
        batchSize: 100,
      });
      this.handler.register(consumer);
      try {
        await consumer.start();
        if (this.stopped) await consumer.stop();
        else this.consumer = consumer;
        return;
      } catch (error) {
        this.logger.warn(
          `webhook consumer not started (attempt ${attempt}): ${error instanceof Error ? error.message : String(error)}`,
        );
        await sleep(Math.min(5_000, 500 * attempt));
      }
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.starting;
    await this.consumer?.stop();
  }
}
