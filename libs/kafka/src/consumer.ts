import {
  Consumer,
  EachBatchPayload,
  EachMessagePayload,
  IHeaders,
  KafkaMessage,
  Partitioners,
  Producer,
} from 'kafkajs';
import { Startable } from './startable';
import { DataSource, EntityManager } from 'typeorm';
import {
  EventDefinition,
  EventEnvelope,
  EventValidationError,
  findEventDefinition,
  parseEvent,
  PayloadOf,
} from '@licensing/events';
import { backoffDelayMs, sleep } from './backoff';
import { describeError } from './errors';
import { baseTopicName, createKafkaClient, KafkaSettings, MessagingLogger, topicName } from './settings';
import {
  chooseRequestId,
  REQUEST_ID_HEADER,
  runWithRequestId,
  TRACEPARENT_HEADER,
  withRemoteParentSpan,
} from '@licensing/telemetry';

/** A header's value as text (kafkajs gives Buffers, or arrays of them). */
function headerText(value: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/**
 * Handles one event inside the transaction that also records it as processed: everything
 * written through `manager` commits together with that mark, or not at all.
 */
export type EventHandler<T> = (event: EventEnvelope<T>, manager: EntityManager) => Promise<void>;

/**
 * Handles several events, in their order, inside the transaction that records them as
 * processed (batch mode hands it runs of consecutive events; otherwise one at a time).
 */
export type EventBatchHandler = (events: EventEnvelope<object>[], manager: EntityManager) => Promise<void>;

/** A message's JSON as it claims to be, before validation: what `when` filters look at. */
export interface ClaimedEvent {
  type: string;
  id?: unknown;
  vendorId?: unknown;
  data?: unknown;
}

type EventFilter = (event: ClaimedEvent) => boolean;

export interface EventConsumerOptions {
  dataSource: DataSource;
  settings: KafkaSettings;
  /** Kafka consumer group (prefix applied); instances of one service share it and split partitions. */
  groupId: string;
  /** Name under which processed event ids and dead letters are recorded. */
  consumerName: string;
  /**
   * Base topic names (the settings' prefix is applied). By default the topics of the event
   * types handlers were registered for: a service reads only what it handles.
   */
  topics?: readonly string[];
  logger?: MessagingLogger;
  /** Handler attempts per message before it is dead-lettered. Default 5. */
  maxAttempts?: number;
  /** Backoff between attempts. Defaults 100 and 5 000 ms. */
  retryBaseMs?: number;
  retryCapMs?: number;
  /** Partitions handled in parallel (messages of one partition are always sequential). Default 1. */
  concurrency?: number;
  /** Where a new group starts: the beginning of the topics (default) or only new messages. */
  fromBeginning?: boolean;
  /**
   * Up to this many consecutive messages of a partition are handled in one transaction (one
   * processed_events insert for all of them, then each handler in order). When that
   * transaction fails, its messages are handled again one by one, each with its own retries
   * and dead letter, so one bad event never holds up or takes down its neighbours. Default 1:
   * a transaction per message. For consumers that see bursts (the webhook fan-out).
   */
  batchSize?: number;
}

export interface EventConsumerStatus {
  running: boolean;
  /** Member of its group with partitions assigned. */
  joined: boolean;
  /** Set when the Kafka consumer crashed; `restarting` tells whether it comes back by itself. */
  crash?: { error: string; restarting: boolean };
}

/** Thrown inside a retry loop when the consumer stops: the offset stays uncommitted. */
class ConsumerStopping extends Error {
  constructor() {
    super('consumer stopping; the message will be delivered again');
    this.name = 'ConsumerStopping';
  }
}

/** A valid message with a handler, on its way to the handler. */
interface Handled {
  message: KafkaMessage;
  raw: string;
  envelope: EventEnvelope<object>;
  handler: EventHandler<object>;
  /** Set when the handler takes runs of events (onEvery). */
  many?: EventBatchHandler;
}

type Parsed =
  | { ok: true; envelope: EventEnvelope<object> }
  | { ok: false; reason: string; eventId?: string; eventType?: string }
  | { ok: 'skipped' };

/**
 * Parses and validates a raw message. Reasons never quote the payload (JSON.parse's own
 * message does), since they are logged. A message of a catalogue type that `skip` refuses
 * is not validated at all (validation is most of a message's cost).
 */
export function parseMessage(raw: string | undefined, skip?: (claimed: ClaimedEvent) => boolean): Parsed {
  if (raw === undefined) return { ok: false, reason: 'empty message (no value)' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: `not valid JSON (${raw.length} bytes)` };
  }
  const claimed = typeof json === 'object' && json !== null ? (json as { id?: unknown; type?: unknown }) : {};
  const eventId = typeof claimed.id === 'string' ? claimed.id.slice(0, 100) : undefined;
  const eventType = typeof claimed.type === 'string' ? claimed.type.slice(0, 100) : undefined;
  if (skip && eventType && findEventDefinition(eventType) && skip(json as ClaimedEvent)) return { ok: 'skipped' };
  try {
    return { ok: true, envelope: parseEvent(json).envelope };
  } catch (error) {
    const reason = error instanceof EventValidationError ? error.message : `validation failed: ${describeError(error)}`;
    return { ok: false, reason, eventId, eventType };
  }
}

/**
 * Runs a consumer group and gives each valid event to the handler registered for its type,
 * with one effect per event id: the handler runs in a transaction that first inserts
 * (consumer, event id) into processed_events, so a redelivered event (rebalance, restart,
 * duplicate publish) finds its id and changes nothing.
 *
 * - Invalid messages (not JSON, envelope or payload breaking its class, unknown type) are
 *   logged without their payload and dead-lettered: a row in dead_letters and a copy on
 *   `<topic>.dlq`. The partition moves on.
 * - Events of catalogue types without a handler, or that the handler's `when` refuses, are
 *   acknowledged and ignored before validation (an unknown type is invalid).
 * - A handler that throws is retried with backoff in process (its writes roll back each
 *   time), then dead-lettered.
 * - An offset is committed only after its message was handled, skipped or dead-lettered:
 *   at least once. Messages of one partition (one key) are handled in order.
 */
export class EventConsumer extends Startable {
  private readonly handlers = new Map<
    string,
    { handler: EventHandler<object>; many?: EventBatchHandler; when?: EventFilter }
  >();
  /** The topics of the event types handlers were registered for. */
  private readonly handledTopics = new Set<string>();
  private readonly logger: MessagingLogger;
  private consumer?: Consumer;
  private producer?: Producer;
  private producerConnecting?: Promise<Producer>;
  private running = false;
  private stopping?: Promise<void>;
  private joined = false;
  private crash?: { error: string; restarting: boolean };

  constructor(private readonly options: EventConsumerOptions) {
    super();
    this.logger = options.logger ?? console;
  }

  /**
   * Registers the handler of one event type (before start()). Events `when` refuses are
   * acknowledged and skipped like types without a handler: not validated, no transaction, no
   * record. `when` sees the message's JSON before validation, so it reads it defensively.
   */
  on<D extends EventDefinition<object>>(
    definition: D,
    handler: EventHandler<PayloadOf<D>>,
    options: { when?: EventFilter } = {},
  ): this {
    if (this.running) throw new Error('register handlers before start()');
    if (this.handlers.has(definition.type)) throw new Error(`a handler for ${definition.type} is already registered`);
    this.handlers.set(definition.type, {
      handler: handler as EventHandler<object>,
      when: options.when,
    });
    this.handledTopics.add(definition.topic);
    return this;
  }

  /**
   * Registers one handler for several event types that takes runs of consecutive events at
   * once (in batch mode; one at a time otherwise and when a batch is handled again one by one),
   * so it can write them in one statement. `when` as for on().
   */
  onEvery(
    definitions: readonly EventDefinition<object>[],
    many: EventBatchHandler,
    options: { when?: EventFilter } = {},
  ): this {
    for (const definition of definitions) {
      this.on(definition, (event, manager) => many([event], manager), options);
      this.handlers.get(definition.type)!.many = many;
    }
    return this;
  }

  /** Whether a message of a catalogue type is none of this consumer's business (no handler, or its `when` refuses). */
  private readonly notHandled = (claimed: ClaimedEvent): boolean => {
    const registered = this.handlers.get(claimed.type);
    return !registered || (registered.when !== undefined && !registered.when(claimed));
  };

  /** The base topics this consumer reads: the options' or those of its handlers' event types. */
  get topics(): readonly string[] {
    return this.options.topics ?? [...this.handledTopics].sort();
  }

  /** Connects, subscribes and starts consuming in the background. Idempotent. */
  protected async doStart(): Promise<void> {
    if (this.running) return;
    await this.stopping;
    if (!this.topics.length) throw new Error('no topics to consume: register a handler or name the topics');
    this.running = true;
    const { settings } = this.options;
    const kafka = createKafkaClient(settings, this.logger);
    const consumer = kafka.consumer({
      groupId: topicName(settings, this.options.groupId),
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      // An idle fetch returns after this long; it also bounds how long stop() waits.
      maxWaitTimeInMs: 250,
      // Reconnects at most 2 s apart, so consumption resumes soon after the broker's return.
      retry: { retries: 30, initialRetryTime: 300, maxRetryTime: 2_000 },
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.joined = true;
      this.crash = undefined;
    });
    consumer.on(consumer.events.REBALANCING, () => {
      this.joined = false;
    });
    consumer.on(consumer.events.STOP, () => {
      this.joined = false;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.joined = false;
      this.crash = { error: describeError(payload.error), restarting: payload.restart };
    });
    this.consumer = consumer;
    this.producer = kafka.producer({
      allowAutoTopicCreation: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    try {
      await consumer.connect();
      await consumer.subscribe({
        topics: this.topics.map((t) => topicName(settings, t)),
        fromBeginning: this.options.fromBeginning ?? true,
      });
      const batchSize = this.options.batchSize ?? 1;
      await consumer.run({
        // Commits only offsets of messages whose eachMessage resolved, or that handleBatch resolved.
        autoCommit: true,
        partitionsConsumedConcurrently: this.options.concurrency ?? 1,
        ...(batchSize > 1
          ? { eachBatchAutoResolve: false, eachBatch: (payload) => this.handleBatch(payload, batchSize) }
          : { eachMessage: (payload) => this.handle(payload) }),
      });
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Lets the message in flight finish (a retry loop gives up; its message comes again), leaves the group. Idempotent. */
  stop(): Promise<void> {
    if (!this.running) return this.stopping ?? Promise.resolve();
    this.running = false;
    this.stopping = (async () => {
      const consumer = this.consumer;
      const producer = this.producer;
      this.consumer = undefined;
      this.producer = undefined;
      await consumer
        ?.disconnect()
        .catch((error: unknown) => this.logger.warn(`consumer disconnect: ${describeError(error)}`));
      await this.producerConnecting?.catch(() => undefined);
      this.producerConnecting = undefined;
      await producer?.disconnect().catch(() => undefined);
      this.joined = false;
    })();
    return this.stopping;
  }

  status(): EventConsumerStatus {
    return { running: this.running, joined: this.joined, crash: this.crash };
  }

  /** Resolves while the consumer is a member of its group; rejects with the reason. */
  async health(): Promise<void> {
    if (!this.running) throw new Error('event consumer is not running');
    if (this.crash && !this.crash.restarting) throw new Error(`event consumer crashed: ${this.crash.error}`);
    if (!this.joined)
      throw new Error(
        this.crash ? `event consumer restarting after: ${this.crash.error}` : 'event consumer has not joined its group',
      );
  }

  /** Resolves once the consumer has joined its group (partitions assigned). */
  async waitUntilJoined(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.joined) {
      if (!this.running) throw new Error('event consumer is not running');
      if (this.crash && !this.crash.restarting) throw new Error(`event consumer crashed: ${this.crash.error}`);
      if (Date.now() > deadline) throw new Error(`event consumer did not join its group within ${timeoutMs} ms`);
      await sleep(25);
    }
  }

  private async handle({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const item = await this.sort(topic, partition, message);
    if (item) await this.traced(topic, item, () => this.handleValid(item, { topic, partition, heartbeat }));
  }

  /**
   * A message's way to its handler: invalid ones are dead-lettered and types without a
   * handler skipped (both undefined); the rest come back with their handler.
   */
  private async sort(topic: string, partition: number, message: KafkaMessage): Promise<Handled | undefined> {
    const raw = message.value === null ? undefined : message.value.toString('utf8');
    const parsed = parseMessage(raw, this.notHandled);
    if (parsed.ok === 'skipped') return undefined;
    if (!parsed.ok) {
      await this.deadLetter(
        { topic, partition, offset: message.offset, key: message.key, raw: raw ?? '' },
        parsed.reason,
        parsed.eventId,
        parsed.eventType,
      );
      return undefined;
    }
    const registered = this.handlers.get(parsed.envelope.type)!;
    return { message, raw: raw ?? '', envelope: parsed.envelope, handler: registered.handler, many: registered.many };
  }

  /**
   * Runs `work` for one event in the trace of the request that caused it; its log lines (and
   * the events it enqueues in turn) carry that request's id.
   */
  private traced<T>(topic: string, { message, envelope }: Handled, work: () => Promise<T>): Promise<T> {
    const requestId = chooseRequestId(headerText(message.headers?.[REQUEST_ID_HEADER]));
    return runWithRequestId(requestId, () =>
      withRemoteParentSpan(
        `process ${envelope.type}`,
        'consumer',
        headerText(message.headers?.[TRACEPARENT_HEADER]),
        { ...this.spanAttributes(topic, message.offset), 'messaging.message.id': envelope.id },
        work,
      ),
    );
  }

  /** What every consumer span says: the system, the topic, the group and the (first) offset. */
  private spanAttributes(topic: string, offset: string) {
    return {
      'messaging.system': 'kafka',
      'messaging.destination.name': topic,
      'messaging.consumer.group.name': this.options.consumerName,
      'messaging.kafka.offset': offset,
    };
  }

  /**
   * A run of events for one batch handler, in a span of its own that links to nothing (each
   * event's cause is its own trace): the run's size and first offset are its attributes.
   */
  private tracedRun(topic: string, run: Handled[], manager: EntityManager): Promise<void> {
    return runWithRequestId(chooseRequestId(undefined), () =>
      withRemoteParentSpan(
        `process ${run.length} events`,
        'consumer',
        undefined,
        { ...this.spanAttributes(topic, run[0]!.message.offset), 'messaging.batch.message_count': run.length },
        () =>
          run[0]!.many!(
            run.map((r) => r.envelope),
            manager,
          ),
      ),
    );
  }

  /**
   * Batch mode: the partition's messages in chunks of `size`, each chunk's handled events in
   * one transaction; a chunk's offsets are resolved once it is done. A chunk whose transaction
   * fails is handled again message by message (processed_events keeps that to one effect).
   */
  private async handleBatch(
    { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload,
    size: number,
  ): Promise<void> {
    const { topic, partition, messages } = batch;
    for (let start = 0; start < messages.length; start += size) {
      if (!this.running || !isRunning() || isStale()) return;
      const chunk = messages.slice(start, start + size);
      const handled: Handled[] = [];
      for (const message of chunk) {
        const item = await this.sort(topic, partition, message);
        if (item) handled.push(item);
      }
      if (handled.length) await this.handleTogether(handled, { topic, partition, heartbeat });
      resolveOffset(chunk[chunk.length - 1]!.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  private async handleTogether(
    items: Handled[],
    at: { topic: string; partition: number; heartbeat: () => Promise<void> },
  ): Promise<void> {
    try {
      await this.options.dataSource.transaction(async (manager) => {
        const fresh = new Set(
          (
            (await manager.query(
              `INSERT INTO processed_events (consumer, event_id)
               SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING event_id`,
              [this.options.consumerName, items.map((i) => i.envelope.id)],
            )) as { event_id: string }[]
          ).map((r) => r.event_id),
        );
        // An id twice in the chunk (a duplicate publish) is handled at its first place only.
        const due = items.filter((item) => fresh.delete(item.envelope.id));
        for (let i = 0; i < due.length;) {
          const item = due[i]!;
          let end = i + 1;
          if (item.many) while (end < due.length && due[end]!.many === item.many) end++;
          if (end - i > 1) await this.tracedRun(at.topic, due.slice(i, end), manager);
          else await this.traced(at.topic, item, () => item.handler(item.envelope, manager));
          i = end;
        }
      });
      this.logger.debug?.(`handled ${items.length} events of ${at.topic}[${at.partition}] together`);
    } catch (error) {
      this.logger.warn(
        `${items.length} events of ${at.topic}[${at.partition}] failed together (${describeError(error)}); handling them one by one`,
      );
      for (const item of items) await this.traced(at.topic, item, () => this.handleValid(item, at));
    }
  }

  private async handleValid(
    { envelope, handler, message, raw }: Handled,
    { topic, partition, heartbeat }: { topic: string; partition: number; heartbeat: () => Promise<void> },
  ): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      if (!this.running) throw new ConsumerStopping();
      try {
        await this.options.dataSource.transaction(async (manager) => {
          const fresh = (await manager.query(
            `INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
            [this.options.consumerName, envelope.id],
          )) as unknown[];
          if (!fresh.length) return; // processed before: a redelivery
          await handler(envelope, manager);
        });
        this.logger.debug?.(`handled ${envelope.type} ${envelope.id}`);
        return;
      } catch (error) {
        const reason = describeError(error);
        if (attempt >= maxAttempts) {
          await this.deadLetter(
            { topic, partition, offset: message.offset, key: message.key, raw },
            `handler failed ${attempt} times: ${reason}`,
            envelope.id,
            envelope.type,
          );
          return;
        }
        this.logger.warn(
          `${envelope.type} ${envelope.id}: handler attempt ${attempt}/${maxAttempts} failed (${reason}); retrying`,
        );
        await sleep(backoffDelayMs(attempt, this.options.retryBaseMs ?? 100, this.options.retryCapMs ?? 5_000));
        // Keeps the group membership through long retries; throws when a rebalance took the
        // partition away (then the new owner gets the message again).
        await heartbeat();
      }
    }
  }

  private async deadLetter(
    message: { topic: string; partition: number; offset: string; key: Buffer | null; raw: string },
    reason: string,
    eventId: string | undefined,
    eventType: string | undefined,
  ): Promise<void> {
    const { topic, partition, offset } = message;
    // Logged without the payload: it may carry personal data.
    this.logger.error(
      `dead-lettered ${topic}[${partition}]@${offset}${eventId ? ` event ${eventId}` : ''} (${eventType ?? 'unknown type'}): ${reason}`,
    );
    // The table is the record that counts: if this insert fails, the message is not
    // acknowledged and comes again.
    await this.options.dataSource.query(
      `INSERT INTO dead_letters (consumer, topic, partition, message_offset, event_id, event_type, reason, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        this.options.consumerName,
        baseTopicName(this.options.settings, topic),
        partition,
        offset,
        eventId ?? null,
        eventType ?? null,
        reason.slice(0, 2_000),
        message.raw,
      ],
    );
    const headers: IHeaders = {
      'dead-letter-consumer': this.options.consumerName,
      'dead-letter-reason': reason.slice(0, 500),
      'original-topic': topic,
      'original-partition': String(partition),
      'original-offset': offset,
    };
    if (eventId) headers['event-id'] = eventId;
    if (eventType) headers['event-type'] = eventType;
    try {
      const producer = await this.dlqProducer();
      await producer.send({
        topic: `${topic}.dlq`,
        acks: -1,
        messages: [{ key: message.key, value: message.raw, headers }],
      });
    } catch (error) {
      this.logger.warn(
        `could not copy the dead letter to ${topic}.dlq (it is kept in dead_letters): ${describeError(error)}`,
      );
    }
  }

  private dlqProducer(): Promise<Producer> {
    const producer = this.producer;
    if (!producer) return Promise.reject(new Error('consumer stopped'));
    this.producerConnecting ??= producer.connect().then(
      () => producer,
      (error: unknown) => {
        this.producerConnecting = undefined;
        throw error;
      },
    );
    return this.producerConnecting;
  }
}
