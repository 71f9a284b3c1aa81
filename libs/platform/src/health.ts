import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Allow } from '@licensing/identity';
import { HEALTH_CHECKS } from './tokens';

/** A readiness probe of one dependency: resolves when healthy, rejects with the reason. */
export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

const TIMEOUT_MS = 2_000;

function withTimeout(p: Promise<void>): Promise<void> {
  return Promise.race([
    p,
    new Promise<void>((_, reject) => setTimeout(() => reject(new Error('timed out')), TIMEOUT_MS).unref()),
  ]);
}

@Controller()
export class HealthController {
  constructor(@Optional() @Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[] = []) {}

  /** Readiness: 200 when every dependency answers, 503 naming the ones that do not. */
  @Get('health')
  @Allow('public')
  async health(@Res() res: Response): Promise<void> {
    const results = await Promise.all(
      this.checks.map(async (c) => {
        try {
          await withTimeout(c.check());
          return [c.name, { status: 'up' }] as const;
        } catch (error) {
          return [c.name, { status: 'down', error: error instanceof Error ? error.message : String(error) }] as const;
        }
      }),
    );
    const healthy = results.every(([, r]) => r.status === 'up');
    res
      .status(healthy ? 200 : 503)
      .json({ status: healthy ? 'ok' : 'unavailable', checks: Object.fromEntries(results) });
  }
}
