import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectSessionsConfig, SessionsConfig } from '../config';
import { SessionsService } from './sessions.service';

/**
 * Ends expired sessions every SWEEP_INTERVAL_MS. Every instance sweeps; each expired session
 * still ends once, because ending is one script that only a live session passes.
 */
@Injectable()
export class SessionsSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SessionsSweeper');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly sessions: SessionsService,
    @InjectSessionsConfig() private readonly config: SessionsConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.SWEEP_INTERVAL_MS || process.env['WRITE_SCHEMA_TO']) return;
    this.timer = setInterval(() => {
      this.running ??= this.sessions
        .sweep()
        .catch((error: unknown) => this.logger.warn(`sweep failed: ${String(error)}`))
        .finally(() => (this.running = undefined));
    }, this.config.SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
