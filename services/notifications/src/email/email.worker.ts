import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectNotificationsConfig, NotificationsConfig } from '../config';
import { EmailService } from './email.service';

/**
 * Runs the mail worker on this instance: a round every MAIL_POLL_MS, and the next round at
 * once while rounds come back full. Instances take disjoint e-mails, so any number may run.
 */
@Injectable()
export class EmailWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('EmailWorker');
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly emails: EmailService,
    @InjectNotificationsConfig() private readonly config: NotificationsConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.MAIL_POLL_MS > 0) this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.run();
    }, delayMs);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    let full = false;
    try {
      full = (await this.emails.sendDue()) >= this.config.MAIL_CONCURRENCY;
    } catch (error) {
      this.logger.warn(`mail round failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.schedule(full ? 0 : this.config.MAIL_POLL_MS);
  }
}
