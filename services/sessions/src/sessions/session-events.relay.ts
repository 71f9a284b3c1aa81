import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { createEvent, EventDefinition, EventEnvelope, SessionEnded, SessionStarted } from '@licensing/events';
import { EventPublisher, KafkaSettings } from '@licensing/kafka';
import { KAFKA_SETTINGS } from '@licensing/platform';
import { InjectSessionsConfig, SessionsConfig } from '../config';
import { SessionsRepository, StreamEvent } from './sessions.repository';

/** How long one relay holds the stream before another may take over. */
const LEASE_MS = 10_000;
const BATCH = 500;
/** While Kafka is away, tries stay at most this far apart. */
const MAX_BACKOFF_MS = 2_000;
/** Readiness reports the relay degraded when an event has waited in the stream this long. */
const STALE_MS = 15_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * The event id of a session's start or end: derived from the session, since each session
 * starts once and ends once, so a republished entry keeps its id and consumers drop it.
 * A UUID of version 8 (custom) from SHA-256.
 */
export function sessionEventId(type: string, sessionId: string): string {
  const h = createHash('sha256').update(`${type}:${sessionId}`).digest('hex').split('');
  h[12] = '8';
  h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

function build<T extends { sessionId: string }>(definition: EventDefinition<T>, entry: StreamEvent): EventEnvelope<T> {
  const parsed: unknown = JSON.parse(entry.data);
  const data = plainToInstance(definition.payload, parsed);
  return createEvent(definition, {
    id: sessionEventId(entry.type, data.sessionId),
    vendorId: entry.vendorId,
    subject: entry.subject,
    time: new Date(entry.at),
    data,
  });
}

/** The envelope of a stream entry, validated against its event class. */
export function envelopeOf(entry: StreamEvent): EventEnvelope<object> {
  if (entry.type === SessionStarted.type) return build(SessionStarted, entry);
  if (entry.type === SessionEnded.type) return build(SessionEnded, entry);
  throw new Error(`unknown event type ${entry.type}`);
}

/**
 * Publishes the session event stream to Kafka, at least once, in order: one relay at a time
 * holds a lease on the stream (others stand by and take over when it lapses), publishes the
 * oldest entries with acks=all and only then deletes them from the stream. A crash between
 * the two publishes them again under the same event ids.
 */
@Injectable()
export class SessionEventRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SessionEvents');
  private readonly token = randomUUID();
  private readonly publisher: EventPublisher;
  private running = false;
  private loop?: Promise<void>;
  /** Why the last try to publish failed, until one succeeds. */
  private lastError?: string;

  constructor(
    private readonly sessions: SessionsRepository,
    @Inject(KAFKA_SETTINGS) settings: KafkaSettings,
    @InjectSessionsConfig() private readonly config: SessionsConfig,
  ) {
    this.publisher = new EventPublisher(settings, this.logger);
  }

  onApplicationBootstrap(): void {
    if (!this.config.EVENT_STREAM_POLL_MS || process.env['WRITE_SCHEMA_TO']) return;
    this.running = true;
    this.loop = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.sessions.releaseRelayLease(this.token).catch(() => undefined);
    await this.publisher.stop();
  }

  /**
   * Readiness of the session events' way to Kafka, whichever instance's relay holds the lease:
   * fails while this relay cannot publish, or while the stream's oldest event has waited
   * longer than STALE_MS (no relay anywhere is draining it).
   */
  async health(): Promise<void> {
    if (this.lastError) throw new Error(`cannot publish session events: ${this.lastError}`);
    const backlog = await this.sessions.eventBacklog();
    if (backlog.oldestAgeMs > STALE_MS) {
      throw new Error(
        `${backlog.length} session event(s) waiting, the oldest for ${Math.round(backlog.oldestAgeMs / 1000)} s`,
      );
    }
  }

  /** Publishes one batch if this relay holds the lease; how many entries left the stream. */
  async drainOnce(): Promise<number> {
    if (!(await this.sessions.holdRelayLease(this.token, LEASE_MS))) return 0;
    const entries = await this.sessions.readEvents(BATCH);
    const envelopes: EventEnvelope<object>[] = [];
    for (const entry of entries) {
      try {
        envelopes.push(envelopeOf(entry));
      } catch (error) {
        this.logger.error(`stream entry ${entry.id} (${entry.type}) cannot be published: ${String(error)}`);
        await this.sessions.parkEvent(entry, String(error));
      }
    }
    await this.publisher.publish(envelopes);
    await this.sessions.deleteEvents(entries.map((e) => e.id));
    return entries.length;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const drained = await this.drainOnce();
        failures = 0;
        this.lastError = undefined;
        if (drained < BATCH) await sleep(this.config.EVENT_STREAM_POLL_MS);
      } catch (error) {
        failures += 1;
        this.lastError = error instanceof Error ? error.message : String(error);
        if (failures === 1 || failures % 20 === 0) this.logger.warn(`session events wait: ${String(error)}`);
        await sleep(Math.min(MAX_BACKOFF_MS, 100 * 2 ** failures));
      }
    }
  }
}
