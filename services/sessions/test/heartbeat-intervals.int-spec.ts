import { randomUUID } from 'node:crypto';
import { rows } from '@licensing/database';
import { DomainError } from '@licensing/graphql';
import { BindingsService } from '../src/bindings/bindings.service';
import { redisPrefix } from '../src/config';
import { ReadModelHandler } from '../src/read-model/read-model.handler';
import { SessionsModule } from '../src/sessions/sessions.module';
import { AcquireRequest, SessionsService } from '../src/sessions/sessions.service';
import { SessionsInstance, SessionsTestbed, testConfig, TestKey, TestVendor } from './sessions-testbed';

/**
 * Heartbeat intervals per product with the operators' load factor, the relay's readiness, and
 * bound hosts' lastSeenAt reaching Postgres in batches from a pending set in Redis.
 */
describe('heartbeat intervals, relay readiness and lastSeenAt batches', () => {
  let testbed: SessionsTestbed;
  let acme: TestVendor;
  let globex: TestVendor;
  const sessions = () => testbed.get(SessionsService);

  const request = (key: TestKey, productCode: string, host = 'host-1'): AcquireRequest => ({
    keyCode: key.code,
    productCode,
    host: { fingerprint: host },
  });

  async function keyWith(productCode: string, seats: number): Promise<TestKey> {
    const key = await testbed.key(acme);
    await testbed.grant(acme, key, productCode, { seats });
    return key;
  }

  beforeAll(async () => {
    testbed = await SessionsTestbed.start('sessions_intervals', [SessionsModule], [ReadModelHandler], {
      instances: 2,
      config: { HEARTBEAT_GRACE_INTERVALS: '3' },
    });
    acme = await testbed.vendor('HBIV', { DESK: 'CONCURRENT_SESSIONS', FILE: 'CONCURRENT_HOSTS', PBX: 'HOST_BINDING' });
    globex = await testbed.vendor('HBIG', { DESK: 'CONCURRENT_SESSIONS' });
  });

  afterAll(() => testbed?.close());

  it('returns the product’s own interval on acquire and heartbeat; expiry is that interval times the grace', async () => {
    const key = await keyWith('FILE', 2);
    expect(await sessions().heartbeatInterval(acme.id, acme.products['FILE']!)).toEqual({
      productId: acme.products['FILE'],
      seconds: 60,
      isDefault: true,
    });
    const before = await sessions().acquire(request(key, 'FILE'));
    expect(before.heartbeatIntervalSeconds).toBe(60);
    expect(before.expiresAt.getTime() - Date.now()).toBeGreaterThan(170_000);

    expect(await sessions().setHeartbeatInterval(acme.id, acme.products['FILE']!, 10)).toMatchObject({
      seconds: 10,
      isDefault: false,
    });
    // The other instance sees it at once (the scripts read it from Redis).
    const other = testbed.instances[1]!.get(SessionsService);
    const lease = await other.acquire(request(key, 'FILE', 'host-2'));
    expect(lease.heartbeatIntervalSeconds).toBe(10);
    expect(lease.expiresAt.getTime() - Date.now()).toBeGreaterThan(25_000);
    expect(lease.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(30_000);
    // The earlier session takes the new interval at its next heartbeat, and expires by it.
    const beat = await other.heartbeat(before.sessionId);
    expect(beat.heartbeatIntervalSeconds).toBe(10);
    expect(beat.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(30_000);

    await sessions().setHeartbeatInterval(acme.id, acme.products['FILE']!, null);
    expect((await other.heartbeat(lease.sessionId)).heartbeatIntervalSeconds).toBe(60);
  });

  it('slows every client down by the load factor', async () => {
    const key = await keyWith('DESK', 2);
    await sessions().setHeartbeatInterval(acme.id, acme.products['DESK']!, 20);
    const loaded = await SessionsInstance.start(
      testbed.databaseUrl,
      testConfig({ REDIS_NAMESPACE: testbed.config.REDIS_NAMESPACE, HEARTBEAT_LOAD_FACTOR: '2.5' }),
      [SessionsModule],
    );
    try {
      const lease = await loaded.get(SessionsService).acquire(request(key, 'DESK'));
      expect(lease.heartbeatIntervalSeconds).toBe(50);
      expect(lease.expiresAt.getTime() - Date.now()).toBeGreaterThan(145_000);
      expect(lease.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(150_000);
      // Back on an instance without load, the next heartbeat brings it back to 20 s.
      const beat = await sessions().heartbeat(lease.sessionId);
      expect(beat.heartbeatIntervalSeconds).toBe(20);
      expect(beat.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(60_000);
    } finally {
      await loaded.close();
    }
  });

  it('keeps the setting to the product’s vendor: another vendor’s product is NOT_FOUND and unchanged', async () => {
    const foreign = globex.products['DESK']!;
    for (const call of [
      sessions().setHeartbeatInterval(acme.id, foreign, 5),
      sessions().heartbeatInterval(acme.id, foreign),
      sessions().setHeartbeatInterval(acme.id, randomUUID(), 5),
    ]) {
      await expect(call).rejects.toBeInstanceOf(DomainError);
      await expect(call).rejects.toMatchObject({ code: 'NOT_FOUND', field: 'productId' });
    }
    expect(await sessions().heartbeatInterval(globex.id, foreign)).toMatchObject({ seconds: 60, isDefault: true });
    const stored = await rows(testbed.dataSource, 'SELECT * FROM product_heartbeat_intervals WHERE product_id = $1', [
      foreign,
    ]);
    expect(stored).toHaveLength(0);
  });

  it('reports the relay degraded while session events wait in the stream, and ready once they are gone', async () => {
    const [check] = sessions().healthChecks();
    expect(check).toMatchObject({ name: 'session-events-relay', critical: false });
    const stream = `${redisPrefix(testbed.config)}:events`;
    // The relays of this testbed are off: whatever the stream holds waits.
    await testbed.main.redis.del(stream);
    await expect(check!.check()).resolves.toBeUndefined();
    await testbed.main.redis.xadd(stream, `${Date.now() - 60_000}-0`, 'type', 'session.started');
    await expect(check!.check()).rejects.toThrow(/1 session event\(s\) waiting, the oldest for 60 s/);
    await testbed.main.redis.del(stream);
    await expect(check!.check()).resolves.toBeUndefined();
  });

  it('writes bound hosts’ lastSeenAt from any instance’s heartbeats in one batch, losing none to a crash', async () => {
    const key = await keyWith('PBX', 2);
    const [a, b] = [
      await sessions().acquire(request(key, 'PBX', 'pa')),
      await sessions().acquire(request(key, 'PBX', 'pb')),
    ];
    const seen = async () =>
      new Map(
        (
          await rows<{ host_fingerprint: string; last_seen_at: Date }>(
            testbed.dataSource,
            'SELECT host_fingerprint, last_seen_at FROM host_bindings WHERE key_id = $1',
            [key.keyId],
          )
        ).map((r) => [r.host_fingerprint, r.last_seen_at.getTime()]),
      );
    const before = await seen();
    await new Promise((r) => setTimeout(r, 20));
    // Instance one takes the heartbeats and "crashes" before its batch (it never flushes).
    await sessions().heartbeat(a.sessionId);
    await sessions().heartbeat(b.sessionId);
    expect(await seen()).toEqual(before);
    // Instance two's batch writes them: the pending set is in Redis, not in instance one.
    const flushed = await testbed.instances[1]!.get(BindingsService).flushSeen();
    expect(flushed).toBe(2);
    const after = await seen();
    expect(after.get('pa')!).toBeGreaterThan(before.get('pa')!);
    expect(after.get('pb')!).toBeGreaterThan(before.get('pb')!);
    // Nothing is left to write, and a second batch changes nothing.
    expect(await testbed.instances[1]!.get(BindingsService).flushSeen()).toBe(0);
    expect(await seen()).toEqual(after);
  });
});
