import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PgListener, pgClientConfig } from '@licensing/kafka';
import { InjectNotificationsConfig, NotificationsConfig } from '../config';
import { TakenDelivery, WEBHOOK_DUE_CHANNEL } from './webhook.repository';
import { DeliveryAttempt, WebhookService } from './webhook.service';

/** An answer slower than this marks its endpoint slow for SLOW_FOR_MS: no prefetch for it. */
const SLOW_ANSWER_MS = 1_000;
const SLOW_FOR_MS = 60_000;
/** A held delivery is sent only with this much of its lease left beyond the timeout. */
const LEASE_MARGIN_MS = 1_000;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Sends due deliveries on this instance. It takes them in batches (per endpoint up to a
 * prefetch while no other instance sends to it; the bounds are the repository's), queues
 * them per endpoint, and POSTs at most WEBHOOK_ENDPOINT_CONCURRENCY at a time to each
 * endpoint and WEBHOOK_CONCURRENCY in all: a slow receiver holds only its own slots, each for
 * at most WEBHOOK_TIMEOUT_MS. Outcomes are recorded in batches (whatever finished while the
 * previous record ran, in one transaction), and each record makes room for the next take.
 * New deliveries wake it (LISTEN on WEBHOOK_DUE_CHANNEL, notified when the fan-out commits);
 * polling every WEBHOOK_POLL_MS covers retries that come due and a lost notification.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhookWorker');
  /** Every delivery this instance took and has not recorded or released yet, by id. */
  private readonly held = new Map<string, TakenDelivery>();
  /** Taken deliveries waiting for a slot, per endpoint, with the time their lease ends. */
  private readonly queues = new Map<string, { delivery: TakenDelivery; leaseEndsAt: number }[]>();
  /** POSTs in flight, per endpoint and in all. */
  private readonly sending = new Map<string, number>();
  private readonly posts = new Set<Promise<void>>();
  /** Endpoints that answered slowly lately, until when. */
  private readonly slowUntil = new Map<string, number>();
  private readonly attempted: DeliveryAttempt[] = [];
  private readonly unsent: TakenDelivery[] = [];
  private recording?: Promise<void>;
  private listener?: PgListener;
  private timer?: NodeJS.Timeout;
  private taking = false;
  /** Something asked for a look while a take was running: look again right after it. */
  private again = false;
  private stopped = false;

  constructor(
    private readonly webhooks: WebhookService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectNotificationsConfig() private readonly config: NotificationsConfig,
  ) {}

  /** At most this many deliveries held at once: the slots, and a queue for each of them. */
  private get maxHeld(): number {
    return this.config.WEBHOOK_CONCURRENCY * 4;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.WEBHOOK_POLL_MS <= 0) return;
    this.listener = new PgListener(
      pgClientConfig(this.dataSource, 'notifications-webhook-listener'),
      WEBHOOK_DUE_CHANNEL,
      () => this.wake(),
      this.logger,
    );
    await this.listener.start();
    this.schedule(0);
  }

  /** Lets the POSTs in flight finish and records them; gives back what was taken and not sent. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.listener?.stop();
    await Promise.all(this.posts);
    for (const queue of this.queues.values()) this.unsent.push(...queue.map((q) => q.delivery));
    this.queues.clear();
    this.recordSoon();
    while (this.recording) await this.recording;
  }

  /** Looks for due deliveries now (after the take under way, if any). */
  private wake(): void {
    this.again = true;
    if (!this.taking) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.fill(), delayMs);
    this.timer.unref();
  }

  private async fill(): Promise<void> {
    if (this.stopped) return;
    if (this.taking) {
      this.again = true;
      return;
    }
    this.taking = true;
    this.again = false;
    let took = 0;
    try {
      const room = this.maxHeld - this.held.size;
      if (room > 0) {
        // The lease is counted from before the take: never later than the database's.
        const leaseEndsAt = Date.now() + this.webhooks.leaseMs;
        const taken = await this.webhooks.take(room, [...this.held.keys()], this.slowEndpoints());
        took = taken.length;
        for (const delivery of taken) {
          this.held.set(delivery.id, delivery);
          let queue = this.queues.get(delivery.endpoint_id);
          if (!queue) this.queues.set(delivery.endpoint_id, (queue = []));
          queue.push({ delivery, leaseEndsAt });
        }
        this.pump();
      }
    } catch (error) {
      this.logger.warn(`webhook take failed: ${message(error)}`);
    } finally {
      this.taking = false;
    }
    const room = this.held.size < this.maxHeld;
    this.schedule(room && (this.again || took > 0) ? 0 : this.config.WEBHOOK_POLL_MS);
  }

  private slowEndpoints(): string[] {
    const now = Date.now();
    for (const [endpointId, until] of this.slowUntil) if (until <= now) this.slowUntil.delete(endpointId);
    return [...this.slowUntil.keys()];
  }

  /** Starts POSTs from the queues while slots are free, one endpoint after another. */
  private pump(): void {
    const { WEBHOOK_CONCURRENCY: all, WEBHOOK_ENDPOINT_CONCURRENCY: perEndpoint } = this.config;
    let started = true;
    while (started && !this.stopped && this.posts.size < all) {
      started = false;
      for (const [endpointId, queue] of this.queues) {
        if (this.posts.size >= all) break;
        if ((this.sending.get(endpointId) ?? 0) >= perEndpoint) continue;
        const next = queue.shift();
        if (!queue.length) this.queues.delete(endpointId);
        if (!next) continue;
        this.post(next.delivery, next.leaseEndsAt);
        started = true;
      }
    }
  }

  private post(delivery: TakenDelivery, leaseEndsAt: number): void {
    // Not enough lease left to be sure the POST ends before another instance may take it.
    if (leaseEndsAt - Date.now() < this.config.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS) {
      this.unsent.push(delivery);
      this.recordSoon();
      return;
    }
    const endpointId = delivery.endpoint_id;
    this.sending.set(endpointId, (this.sending.get(endpointId) ?? 0) + 1);
    const run: Promise<void> = this.webhooks
      .attempt(delivery)
      .then(
        (attempt) => {
          if (attempt.durationMs >= SLOW_ANSWER_MS) this.slowUntil.set(endpointId, Date.now() + SLOW_FOR_MS);
          this.attempted.push(attempt);
        },
        (error: unknown) => {
          this.logger.warn(`delivery ${delivery.id}: ${message(error)}`);
          this.unsent.push(delivery);
        },
      )
      .finally(() => {
        const left = (this.sending.get(endpointId) ?? 1) - 1;
        if (left) this.sending.set(endpointId, left);
        else this.sending.delete(endpointId);
        this.posts.delete(run);
        this.recordSoon();
        this.pump();
      });
    this.posts.add(run);
  }

  /** Records what finished (and gives back what was not sent), unless a record is under way: it looks again when done. */
  private recordSoon(): void {
    if (this.recording || (!this.attempted.length && !this.unsent.length)) return;
    this.recording = this.record().finally(() => {
      this.recording = undefined;
      this.recordSoon();
    });
  }

  private async record(): Promise<void> {
    const attempts = this.attempted.splice(0);
    const unsent = this.unsent.splice(0);
    try {
      if (attempts.length) await this.webhooks.record(attempts);
      if (unsent.length) await this.webhooks.release(unsent);
    } catch (error) {
      // Not recorded: the deliveries stay SENDING until their lease ends, then go out again.
      this.logger.warn(`webhook outcomes not recorded: ${message(error)}`);
    } finally {
      for (const a of attempts) this.held.delete(a.delivery.id);
      for (const d of unsent) this.held.delete(d.id);
      this.wake();
    }
  }
}
