import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Allow } from '@licensing/identity';
import { Metrics } from './metrics';

/**
 * GET /metrics in Prometheus's text format. Like the health probes it needs no identity:
 * Prometheus scrapes each process directly, on the network the services share (keep the
 * port off the public internet, or the gateway's behind a proxy that does not route it).
 */
@Controller()
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get('metrics')
  @Allow('public')
  async scrape(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.metrics.scrape();
    res.status(200).setHeader('content-type', contentType);
    res.send(body);
  }
}
