import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { IDENTITY_HEADER, signIdentityHeader } from '@licensing/identity';
import { createTestDatabase, eventually, testInfrastructure, uniqueTopicPrefix } from '@licensing/testing';
import { freePort, spawnService, waitForHealth } from './support/processes';

describe('service lifecycle', () => {
  it('refuses to boot naming the bad variable', async () => {
    const proc = spawnService('keys', {
      PORT: 'not-a-port',
      DATABASE_URL: 'mysql://nope',
      IDENTITY_SIGNING_SECRET: 'short',
    });
    const code = await new Promise<number | null>((resolve) => proc.child.once('exit', resolve));
    expect(code).toBe(1);
    expect(proc.output()).toMatch(/PORT/);
    expect(proc.output()).toMatch(/DATABASE_URL/);
    expect(proc.output()).toMatch(/IDENTITY_SIGNING_SECRET/);
    expect(proc.output()).toMatch(/ACCESS_TOKEN_SECRET/);
  });

  it('creates and migrates its own database, reports ready, and stops cleanly on SIGTERM', async () => {
    const infra = await testInfrastructure();
    const database = await createTestDatabase('lifecycle');
    await database.drop(); // the service must create it itself
    const port = await freePort();
    const secret = randomBytes(32).toString('hex');
    const proc = spawnService('keys', {
      PORT: String(port),
      DATABASE_URL: database.url,
      REDIS_URL: infra.redisUrl,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: uniqueTopicPrefix('lifecycle'),
      IDENTITY_SIGNING_SECRET: secret,
      ACCESS_TOKEN_SECRET: secret,
      LOG_LEVEL: 'log',
    });
    try {
      await waitForHealth(proc, port, 30_000);
      expect(proc.output()).toMatch(/applied migrations: Messaging\d+, VendorsProducts\d+/);
      const started = Date.now();
      expect(await proc.stop('SIGTERM')).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(proc.output()).toMatch(/SIGTERM: shutting down[\s\S]*stopped/);
    } finally {
      await proc.stop('SIGKILL');
      await database.drop();
    }
  });

  it('boots and serves with Kafka down, ready but degraded, keeping its events in the outbox', async () => {
    const infra = await testInfrastructure();
    const database = await createTestDatabase('nokafka');
    const port = await freePort();
    const secret = randomBytes(32).toString('hex');
    const proc = spawnService('keys', {
      PORT: String(port),
      DATABASE_URL: database.url,
      REDIS_URL: infra.redisUrl,
      KAFKA_BROKERS: '127.0.0.1:1', // nothing listens there
      KAFKA_TOPIC_PREFIX: uniqueTopicPrefix('nokafka'),
      IDENTITY_SIGNING_SECRET: secret,
      ACCESS_TOKEN_SECRET: secret,
    });
    try {
      await waitForHealth(proc, port, 30_000);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        status: 'degraded',
        checks: {
          database: { status: 'up' },
          redis: { status: 'up' },
          'kafka-consumer': { status: 'down', critical: false, error: expect.stringMatching(/Kafka/) },
        },
      });
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);

      const operator = signIdentityHeader(secret, {
        identity: { kind: 'operator' },
        requestId: 'r-nokafka',
        clientIp: '',
      });
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: operator },
        body: JSON.stringify({
          query: 'mutation { createVendor(input: { prefix: "NOKF", name: "No Kafka" }) { vendor { id } } }',
        }),
      });
      const body = (await res.json()) as { data?: unknown; errors?: unknown };
      expect(body.errors).toBeUndefined();
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM outbox WHERE status = 'PENDING' AND event_type = 'vendor.created'`,
        );
        expect(rows[0]!.n).toBe(1);
      } finally {
        await client.end();
      }
      // The relay finds out when it has something to publish, and says so.
      const outbox = await eventually(
        async () => {
          const body = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
            checks: Record<string, { status: string; critical?: boolean; error?: string }>;
          };
          return body.checks['kafka-outbox']?.status === 'down' ? body.checks['kafka-outbox'] : undefined;
        },
        { what: 'the relay reporting Kafka unreachable', timeoutMs: 15_000 },
      );
      expect(outbox).toMatchObject({ critical: false, error: expect.stringMatching(/cannot reach Kafka/) });
    } finally {
      await proc.stop('SIGKILL');
      await database.drop();
    }
  }, 60_000);
});
