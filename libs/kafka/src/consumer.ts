import { Consumer, EachMessagePayload, Partitioners, Producer } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { EventDefinition, EventEnvelope, EventValidationError, parseEvent, PayloadOf } from '@licensing/events';
import { backoffDelayMs, sleep } from './backoff';
import { baseTopicName, createKafkaClient, KafkaSettings, MessagingLogger, topicName } from './settings';

export type EventHandler<T> = (event: EventEnvelope<T>, manager: EntityManager) => Promise<void>;

export interface EventConsumerOptions {
  dataSource: DataSource;
  settings: KafkaSettings;
  /** Kafka consumer group; instances of one service share it and split partitions. */
  groupId: string;
  /** Name under which processed event ids and dead letters are recorded. */
  consumerName: string;
  /** Base topic names (the settings' prefix is applied). */
  topics: readonly string[];
  logger?: MessagingLogger;
  /** Attempts per message before it is dead-lettered. */
  maxAttempts?: number;
  retryBaseMs?: number;
  retryCapMs?: number;
}

/**
 * Runs a consumer group and hands each valid event to its handler exactly once in
 * effect: the handler runs in a transaction that first records the event id in
 * processed_events, so a redelivered event (rebalance, restart, duplicate publish) finds
 * its id and changes nothing. Invalid messages and messages whose handler keeps failing
 * are dead-lettered (table dead_letters and topic `<topic>.dlq`) and the partition moves
 * on. Offsets are committed only after a message is handled or parked: at least once.
 */
export class EventConsumer {
  private readonly handlers = new Map<string, EventHandler<object>>();
  private readonly logger: MessagingLogger;
  private consumer?: Consumer;
  private producer?: Producer;
  private healthy = false;
  private crashed?: string;

  constructor(private readonly options: EventConsumerOptions) {
    this.logger = options.logger ?? console;
  }

  on<D extends EventDefinition>(definition: D, handler: EventHandler<PayloadOf<D>>): this {
    if (this.consumer) throw new Error('register handlers before start()');
    this.handlers.set(definition.type, handler as EventHandler<object>);
    return this;
  }

  async start(): Promise<void> {
    if (this.consumer) return;
    const kafka = createKafkaClient(this.options.settings, this.logger);
    this.producer = kafka.producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner });
    await this.producer.connect();
    const consumer = kafka.consumer({
      groupId: `${this.options.settings.topicPrefix ?? ''}${this.options.groupId}`,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 100,
      retry: { retries: 10 },
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.healthy = true;
      this.crashed = undefined;
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.healthy = false;
      this.crashed = e.payload.error.message;
    });
    consumer.on(consumer.events.STOP, () => {
      this.healthy = false;
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: this.options.topics.map((t) => topicName(this.options.settings, t)),
      fromBeginning: true,
    });
    await consumer.run({ autoCommit: true, eachMessage: (payload) => this.handle(payload) });
    this.consumer = consumer;
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
    this.healthy = false;
  }

  async health(): Promise<void> {
    if (this.crashed) throw new Error(`consumer crashed: ${this.crashed}`);
    if (!this.healthy) throw new Error('consumer has not joined its group');
  }

  /** Resolves once the consumer has joined its group (partitions assigned). */
  async waitUntilJoined(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.healthy) {
      if (Date.now() > deadline) throw new Error('consumer did not join its group in time');
      await sleep(50);
    }
  }

  private async handle({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const raw = message.value?.toString('utf8') ?? '';
    let parsed: ReturnType<typeof parseEvent>;
    try {
      parsed = parseEvent(JSON.parse(raw) as unknown);
    } catch (error) {
      const reason = error instanceof EventValidationError ? error.message : `unreadable message: ${(error as Error).message}`;
      await this.deadLetter(topic, partition, message.offset, raw, reason, undefined, undefined);
      return;
    }
    const { envelope } = parsed;
    const handler = this.handlers.get(envelope.type);
    if (!handler) return;

    const maxAttempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.dataSource.transaction(async (manager) => {
          const fresh = (await manager.query(
            `INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2)
             ON CONFLICT DO NOTHING RETURNING event_id`,
            [this.options.consumerName, envelope.id],
          )) as unknown[];
          if (!fresh.length) return; // already handled: a redelivery
          await handler(envelope, manager);
        });
        return;
      } catch (error) {
        const reason = (error as Error)?.message ?? String(error);
        if (attempt >= maxAttempts) {
          await this.deadLetter(topic, partition, message.offset, raw, `handler failed ${attempt} times: ${reason}`, envelope.id, envelope.type);
          return;
        }
        this.logger.warn(`${envelope.type} ${envelope.id}: attempt ${attempt} failed (${reason}); retrying`);
        await sleep(backoffDelayMs(attempt, this.options.retryBaseMs ?? 100, this.options.retryCapMs ?? 5_000));
        await heartbeat();
      }
    }
  }

  private async deadLetter(
    topic: string,
    partition: number,
    offset: string,
    raw: string,
    reason: string,
    eventId: string | undefined,
    eventType: string | undefined,
  ): Promise<void> {
    // Logged without the payload: it may carry personal data.
    this.logger.error(`dead-lettered ${topic}[${partition}]@${offset} (${eventType ?? 'unknown type'}): ${reason}`);
    await this.options.dataSource.query(
      `INSERT INTO dead_letters (consumer, topic, partition, message_offset, event_id, event_type, reason, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [this.options.consumerName, baseTopicName(this.options.settings, topic), partition, offset, eventId ?? null, eventType ?? null, reason.slice(0, 2000), raw],
    );
    try {
      await this.producer?.send({
        topic: `${topic}.dlq`,
        acks: -1,
        messages: [{ key: eventId ?? null, value: raw, headers: { 'dead-letter-reason': reason.slice(0, 500), consumer: this.options.consumerName } }],
      });
    } catch (error) {
      this.logger.warn(`could not publish to ${topic}.dlq (kept in dead_letters): ${(error as Error).message}`);
    }
  }
}
