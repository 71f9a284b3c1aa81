import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { createTestDatabase, eventually, testInfrastructure, uniqueTopicPrefix } from '@licensing/testing';
import { freePort, spawnService, waitForHealth } from './support/processes';

/**
 * The sessions service's readiness with Kafka down: it serves (200, degraded), and says that
 * its session events cannot leave the Redis stream, not critical, like the outbox relay.
 */
describe('sessions readiness: the session event relay', () => {
  it('reports the relay degraded (not critical) while it cannot publish, and stays ready', async () => {
    const infra = await testInfrastructure();
    const database = await createTestDatabase('sessions_ready');
    const port = await freePort();
    const secret = randomBytes(32).toString('hex');
    const topicPrefix = uniqueTopicPrefix('sessready');
    const namespace = `ready-${randomBytes(4).toString('hex')}`;
    const proc = spawnService('sessions', {
      PORT: String(port),
      DATABASE_URL: database.url,
      REDIS_URL: infra.redisUrl,
      REDIS_NAMESPACE: namespace,
      KAFKA_BROKERS: '127.0.0.1:1', // nothing listens there
      KAFKA_TOPIC_PREFIX: topicPrefix,
      IDENTITY_SIGNING_SECRET: secret,
      ACCESS_TOKEN_SECRET: secret,
    });
    const redis = new Redis(infra.redisUrl);
    const stream = `${namespace}:${topicPrefix.replace(/[.:]+$/, '')}:events`;
    try {
      await waitForHealth(proc, port, 30_000);
      // A session event waits in the stream, as an acquire would have left it.
      const sessionId = randomUUID();
      const keyId = randomUUID();
      await redis.xadd(
        stream,
        '*',
        'type',
        'session.started',
        'vendorId',
        randomUUID(),
        'subject',
        keyId,
        'at',
        String(Date.now()),
        'data',
        JSON.stringify({
          sessionId,
          keyId,
          keyCode: 'RDYX-AAAAA-AAAAA-AAAAA-AAAAA',
          productCode: 'P',
          hostFingerprint: 'h',
        }),
      );
      const relay = await eventually(
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/health`);
          const body = (await res.json()) as {
            status: string;
            checks: Record<string, { status: string; critical?: boolean; error?: string }>;
          };
          const check = body.checks['session-events-relay'];
          return res.status === 200 && check?.status === 'down' ? { status: body.status, check } : undefined;
        },
        { what: 'the session event relay reported down', timeoutMs: 25_000 },
      );
      expect(relay).toEqual({
        status: 'degraded',
        check: { status: 'down', critical: false, error: expect.stringMatching(/session event/) },
      });
      expect(await redis.xlen(stream)).toBe(1);
    } finally {
      await proc.stop('SIGKILL');
      await redis.del(stream);
      redis.disconnect();
      await database.drop();
    }
  }, 60_000);
});
