import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Allow } from '@licensing/identity';
import { HEALTH_CHECKS } from './tokens';

/** A readiness probe of one dependency: resolves when healthy, rejects with the reason. */
export interface HealthCheck {
  name: string;
  check(): Promise<void>;
  /**
   * Whether the service cannot serve requests without it (default true). A non-critical
   * check that fails makes the service `degraded`, still ready (200).
   */
  critical?: boolean;
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

  /** Liveness: the process answers. An orchestrator restarts it only when this fails. */
  @Get('health/live')
  @Allow('public')
  live(): { status: 'alive' } {
    return { status: 'alive' };
  }

  /**
   * Readiness, "can serve requests": 200 `ok` when every dependency answers, 200 `degraded`
   * when only non-critical ones (Kafka) do not, 503 `unavailable` naming the critical ones
   * (database, Redis) that do not.
   */
  @Get('health')
  @Allow('public')
  async health(@Res() res: Response): Promise<void> {
    const results = await Promise.all(
      this.checks.map(async (c) => {
        try {
          await withTimeout(c.check());
          return [c.name, { status: 'up' }] as const;
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          return [c.name, { status: 'down', critical: c.critical !== false, error: reason }] as const;
        }
      }),
    );
    const down = results.filter(([, r]) => r.status === 'down');
    const status = down.some(([, r]) => 'critical' in r && r.critical)
      ? 'unavailable'
      : down.length
        ? 'degraded'
        : 'ok';
    res.status(status === 'unavailable' ? 503 : 200).json({ status, checks: Object.fromEntries(results) });
  }
}
