import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PgListener, pgClientConfig } from '@licensing/kafka';
import { InjectNotificationsConfig, NotificationsConfig } from '../config';
import { WEBHOOK_DUE_CHANNEL } from './webhook.repository';
import { WebhookService } from './webhook.service';

/**
 * Sends due deliveries on this instance: up to WEBHOOK_CONCURRENCY in flight, each on its
 * own (a slow receiver holds only its own slots, at most WEBHOOK_ENDPOINT_CONCURRENCY of them
 * across instances, each for at most WEBHOOK_TIMEOUT_MS); a freed slot looks for more at once.
 * New deliveries wake it (LISTEN on WEBHOOK_DUE_CHANNEL, notified when the fan-out commits);
 * polling every WEBHOOK_POLL_MS covers retries that come due and a lost notification.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhookWorker');
  private readonly inFlight = new Set<Promise<void>>();
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

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.listener?.stop();
    await Promise.all(this.inFlight);
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
      const free = this.config.WEBHOOK_CONCURRENCY - this.inFlight.size;
      if (free > 0) {
        const taken = await this.webhooks.take(free);
        took = taken.length;
        for (const d of taken) {
          const run: Promise<void> = this.webhooks
            .deliver(d)
            .catch((error: unknown) =>
              this.logger.warn(`delivery ${d.id}: ${error instanceof Error ? error.message : String(error)}`),
            )
            .finally(() => {
              this.inFlight.delete(run);
              this.wake();
            });
          this.inFlight.add(run);
        }
      }
    } catch (error) {
      this.logger.warn(`webhook take failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.taking = false;
    }
    const room = this.inFlight.size < this.config.WEBHOOK_CONCURRENCY;
    this.schedule(room && (this.again || took > 0) ? 0 : this.config.WEBHOOK_POLL_MS);
  }
}
