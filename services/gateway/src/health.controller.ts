import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import Redis from 'ioredis';
import { GATEWAY_REDIS } from './limits/rate-limiter';

@Controller()
export class GatewayHealthController {
  constructor(@Inject(GATEWAY_REDIS) private readonly redis: Redis) {}

  /** Readiness: the supergraph is loaded at boot (it is a file), so Redis is what can fail. */
  @Get('health')
  async health(@Res() res: Response): Promise<void> {
    try {
      await Promise.race([
        this.redis.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 2_000).unref()),
      ]);
      res.status(200).json({ status: 'ok', checks: { supergraph: { status: 'up' }, redis: { status: 'up' } } });
    } catch (error) {
      res.status(503).json({
        status: 'unavailable',
        checks: { supergraph: { status: 'up' }, redis: { status: 'down', error: (error as Error).message } },
      });
    }
  }
}
