import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectNotificationsConfig, NotificationsConfig } from '../config';
import { WebhookService } from './webhook.service';

/**
 * Sends due deliveries on this instance: up to WEBHOOK_CONCURRENCY in flight, each on its
 * own (a slow receiver holds only its own slots, at most WEBHOOK_ENDPOINT_CONCURRENCY of them
 * across instances, each for at most WEBHOOK_TIMEOUT_MS); a freed slot looks for more at once.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhookWorker');
  private readonly inFlight = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private taking = false;
  private stopped = false;

  constructor(
    private readonly webhooks: WebhookService,
    @InjectNotificationsConfig() private readonly config: NotificationsConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.WEBHOOK_POLL_MS > 0) this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.all(this.inFlight);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.fill(), delayMs);
    this.timer.unref();
  }

  private async fill(): Promise<void> {
    if (this.taking || this.stopped) return;
    this.taking = true;
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
              this.schedule(0);
            });
          this.inFlight.add(run);
        }
      }
    } catch (error) {
      this.logger.warn(`webhook take failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.taking = false;
    }
    this.schedule(took > 0 && this.inFlight.size < this.config.WEBHOOK_CONCURRENCY ? 0 : this.config.WEBHOOK_POLL_MS);
  }
}
