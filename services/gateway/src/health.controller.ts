import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import Redis from 'ioredis';
import { GATEWAY_REDIS } from './redis';
import { SupergraphStatus } from './supergraph';

type Check = { status: 'up' } | { status: 'down'; error: string };

async function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      p,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

@Controller()
export class GatewayHealthController {
  constructor(
    @Inject(GATEWAY_REDIS) private readonly redis: Redis,
    private readonly supergraph: SupergraphStatus,
  ) {}

  /** Readiness: 200 when the supergraph is loaded and Redis answers; 503 naming what is not. */
  @Get('health')
  async health(@Res() res: Response): Promise<void> {
    const supergraph: Check & { subgraphs?: string[] } = this.supergraph.ready
      ? { status: 'up', subgraphs: [...this.supergraph.subgraphs.keys()] }
      : { status: 'down', error: this.supergraph.stopped ? 'stopping' : 'not loaded' };
    let redis: Check;
    try {
      await withTimeout(this.redis.ping(), 1_000);
      redis = { status: 'up' };
    } catch (error) {
      redis = { status: 'down', error: error instanceof Error ? error.message : String(error) };
    }
    const healthy = supergraph.status === 'up' && redis.status === 'up';
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'unavailable', checks: { supergraph, redis } });
  }
}
