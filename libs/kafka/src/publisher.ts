import { Partitioners, Producer } from 'kafkajs';
import { EventEnvelope, findEventDefinition } from '@licensing/events';
import { describeError, isBrokerUnavailable } from './errors';
import { createKafkaClient, KafkaSettings, MessagingLogger, topicName } from './settings';

/**
 * Publishes events that a service keeps somewhere other than the Postgres outbox (the
 * sessions service's Redis stream), with the outbox relay's settings: acks=all, keyed by
 * `subject`, one request in flight, no topic auto-creation. The caller keeps the events
 * until `publish` resolves and removes them only then (at least once); consumers drop
 * repeats by event id.
 */
export class EventPublisher {
  private producer?: Producer;
  private connected = false;

  constructor(
    private readonly settings: KafkaSettings,
    private readonly logger: MessagingLogger = console,
  ) {}

  /** Publishes in the order given (per subject); rejects when any could not be published. */
  async publish(events: readonly EventEnvelope<unknown>[]): Promise<void> {
    if (!events.length) return;
    const byTopic = new Map<string, EventEnvelope<unknown>[]>();
    for (const event of events) {
      const topic = findEventDefinition(event.type)?.topic;
      if (!topic) throw new Error(`No topic for event type ${event.type}`);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), event]);
    }
    try {
      const producer = await this.connectedProducer();
      await producer.sendBatch({
        acks: -1,
        timeout: 10_000,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic: topicName(this.settings, topic),
          messages: list.map((e) => ({
            key: e.subject,
            value: JSON.stringify(e),
            headers: { 'event-type': e.type, 'event-id': e.id },
          })),
        })),
      });
    } catch (error) {
      // A fresh client next time: kafkajs can keep half-open connections after an outage.
      if (isBrokerUnavailable(error)) await this.stop();
      throw new Error(`publishing ${events.length} event(s) failed: ${describeError(error)}`, { cause: error });
    }
  }

  async stop(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    this.connected = false;
    await producer?.disconnect().catch(() => undefined);
  }

  private async connectedProducer(): Promise<Producer> {
    this.producer ??= createKafkaClient(
      { ...this.settings, clientId: `${this.settings.clientId}-publisher` },
      this.logger,
      { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
    ).producer({
      allowAutoTopicCreation: false,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    if (!this.connected) {
      await this.producer.connect();
      this.connected = true;
    }
    return this.producer;
  }
}
