import { randomBytes } from 'node:crypto';
import { createTestDatabase, testInfrastructure, uniqueTopicPrefix } from '@licensing/testing';
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
});
