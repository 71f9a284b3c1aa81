import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { cached, Metrics, probe } from '@licensing/platform';
import { LiveSessionsRepository } from './live-sessions.repository';

/**
 * sessions_live{vendor}: live sessions per vendor, counted when Prometheus scrapes (at most
 * every 10 s however many scrape), never on the acquire or heartbeat path. Vendor ids are a
 * bounded label: one series per vendor with live sessions.
 */
@Injectable()
export class SessionsMetrics implements OnModuleInit {
  constructor(
    @Inject(Metrics) private readonly metrics: Metrics,
    private readonly live: LiveSessionsRepository,
  ) {}

  onModuleInit(): void {
    const read = cached(10_000, () => probe(() => this.live.countByVendor(), 5_000));
    this.metrics.gauge<'vendor'>({
      name: 'sessions_live',
      help: 'Live (unexpired, not ended) license sessions per vendor',
      labelNames: ['vendor'],
      async collect() {
        const counts = await read();
        if (!counts) return;
        this.reset();
        for (const [vendor, n] of counts) this.set({ vendor }, n);
      },
    });
  }
}
