import type { Response } from 'express';
import { HealthCheck, HealthController } from './health';

async function probe(checks: HealthCheck[]): Promise<{ status: number; body: any }> {
  const reply = { status: 0, body: undefined as unknown };
  const res = {
    status(code: number) {
      reply.status = code;
      return this;
    },
    json(body: unknown) {
      reply.body = body;
      return this;
    },
  } as unknown as Response;
  await new HealthController(checks).health(res);
  return reply as { status: number; body: any };
}

const up = (name: string, critical?: boolean): HealthCheck => ({ name, critical, check: async () => undefined });
const down = (name: string, critical?: boolean): HealthCheck => ({
  name,
  critical,
  check: async () => {
    throw new Error(`${name} is away`);
  },
});

describe('readiness', () => {
  it('is ok when everything answers', async () => {
    expect(await probe([up('database'), up('kafka-outbox', false)])).toMatchObject({
      status: 200,
      body: { status: 'ok' },
    });
  });

  it('stays ready but degraded when only a non-critical dependency fails, naming it', async () => {
    const { status, body } = await probe([up('database'), down('kafka-outbox', false)]);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'degraded',
      checks: { 'kafka-outbox': { status: 'down', critical: false, error: 'kafka-outbox is away' } },
    });
  });

  it('is unavailable when a critical dependency fails', async () => {
    const { status, body } = await probe([down('database'), down('kafka-outbox', false)]);
    expect(status).toBe(503);
    expect(body.status).toBe('unavailable');
  });
});
