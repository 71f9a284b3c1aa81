import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PgListener, pgClientConfig } from '@licensing/kafka';
import { InjectNotificationsConfig, NotificationsConfig } from '../config';
import { TakenDelivery, WEBHOOK_DUE_CHANNEL } from './webhook.repository';
import { DeliveryAttempt, WebhookDeliveryService } from './webhook-delivery.service';

/** A POST starts only with this much of its endpoint's lease left beyond the timeout. */
const LEASE_MARGIN_MS = 1_000;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Sends due deliveries on this instance. Each take renews the instance's hold on its endpoints
 * (a lease per endpoint; only the holder sends an endpoint's deliveries), claims more, and
 * reads a batch of due deliveries into a queue per endpoint. POSTs run at most
 * WEBHOOK_ENDPOINT_CONCURRENCY at a time per endpoint and WEBHOOK_CONCURRENCY in all: a slow
 * receiver holds only its own slots, each for at most WEBHOOK_TIMEOUT_MS. Outcomes are
 * recorded in batches (whatever finished while the previous record ran, in one transaction),
 * and each record makes room for the next take. New deliveries wake it (LISTEN on
 * WEBHOOK_DUE_CHANNEL, notified when the fan-out commits); polling every WEBHOOK_POLL_MS
 * covers retries that come due, a lost notification and the leases' renewal.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhookWorker');
  /** This instance's name on the endpoints it holds. */
  private readonly workerId = randomUUID();
  /** Deliveries in hand (queued, being sent, or waiting for their record), by id. */
  private readonly held = new Map<string, TakenDelivery>();
  /** Deliveries waiting for a slot, per endpoint. */
  private readonly queues = new Map<string, TakenDelivery[]>();
  /** When this instance's hold on each endpoint ends, unless renewed. */
  private readonly leaseEnds = new Map<string, number>();
  /** POSTs in flight, per endpoint and in all. */
  private readonly sending = new Map<string, number>();
  private readonly posts = new Set<Promise<void>>();
  private readonly attempted: DeliveryAttempt[] = [];
  /** Held deliveries whose POST is done, waiting for their record: they take no queue room. */
  private readonly sent = new Set<string>();
  /**
   * Deliveries recorded while a take ran: its read may predate their record and find them
   * still due, and they must not go out twice.
   */
  private readonly recordedDuringTake = new Set<string>();
  private recording?: Promise<void>;
  private listener?: PgListener;
  private timer?: NodeJS.Timeout;
  private taking = false;
  /** Something asked for a look while a take was running: look again right after it. */
  private again = false;
  private stopped = false;

  constructor(
    private readonly webhooks: WebhookDeliveryService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectNotificationsConfig() private readonly config: NotificationsConfig,
  ) {}

  /** At most this many deliveries in hand: queued, being sent, or waiting for their record. */
  private get maxHeld(): number {
    return this.config.WEBHOOK_CONCURRENCY * 8;
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

  /** Lets the POSTs in flight finish and records them; then lets go of the endpoints. */
  async onModuleDestroy(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.listener?.stop();
    this.queues.clear();
    await Promise.all(this.posts);
    while (this.recording) await this.recording;
    if (this.config.WEBHOOK_POLL_MS > 0)
      await this.webhooks
        .releaseEndpoints(this.workerId)
        .catch((error: unknown) => this.logger.warn(`webhook endpoints not released: ${message(error)}`));
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
      // The leases are counted from before the take: never later than the database's.
      const leaseEndsAt = Date.now() + this.webhooks.leaseMs;
      const { deliveries, endpoints } = await this.webhooks.take(Math.max(this.maxHeld - this.held.size, 0), {
        id: this.workerId,
        held: [...this.held.values()],
        sent: this.sent,
      });
      this.leaseEnds.clear();
      for (const endpointId of endpoints) this.leaseEnds.set(endpointId, leaseEndsAt);
      took = deliveries.length;
      for (const delivery of deliveries) {
        if (this.recordedDuringTake.has(delivery.id)) continue;
        this.held.set(delivery.id, delivery);
        let queue = this.queues.get(delivery.endpoint_id);
        if (!queue) this.queues.set(delivery.endpoint_id, (queue = []));
        queue.push(delivery);
      }
      this.pump();
    } catch (error) {
      this.logger.warn(`webhook take failed: ${message(error)}`);
    } finally {
      this.taking = false;
      this.recordedDuringTake.clear();
    }
    const room = this.held.size < this.maxHeld;
    this.schedule(room && (this.again || took > 0) ? 0 : this.config.WEBHOOK_POLL_MS);
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
        if (next) {
          this.post(next);
          started = true;
        }
      }
    }
  }

  private post(delivery: TakenDelivery): void {
    const endpointId = delivery.endpoint_id;
    // Not held long enough to be sure the POST ends while no other instance may send it:
    // left for a later take (it is still pending).
    if ((this.leaseEnds.get(endpointId) ?? 0) - Date.now() < this.config.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS) {
      this.held.delete(delivery.id);
      return;
    }
    this.sending.set(endpointId, (this.sending.get(endpointId) ?? 0) + 1);
    const run: Promise<void> = this.webhooks
      .attempt(delivery)
      .then(
        (attempt) => {
          this.attempted.push(attempt);
          this.sent.add(delivery.id);
        },
        (error: unknown) => {
          this.logger.warn(`delivery ${delivery.id}: ${message(error)}`);
          this.held.delete(delivery.id);
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

  /** Records what finished, unless a record is under way: that one looks again when done. */
  private recordSoon(): void {
    if (this.recording || !this.attempted.length) return;
    this.recording = this.record().finally(() => {
      this.recording = undefined;
      this.recordSoon();
    });
  }

  private async record(): Promise<void> {
    const attempts = this.attempted.splice(0);
    try {
      // A disabled endpoint gets nothing more from this instance's queue.
      for (const endpointId of await this.webhooks.record(attempts)) this.drop(endpointId);
    } catch (error) {
      // Not recorded: the deliveries are still pending and go out again.
      this.logger.warn(`webhook outcomes not recorded: ${message(error)}`);
    } finally {
      for (const a of attempts) {
        this.held.delete(a.delivery.id);
        this.sent.delete(a.delivery.id);
        if (this.taking) this.recordedDuringTake.add(a.delivery.id);
      }
      this.wake();
    }
  }

  private drop(endpointId: string): void {
    for (const d of this.queues.get(endpointId) ?? []) this.held.delete(d.id);
    this.queues.delete(endpointId);
  }
}
