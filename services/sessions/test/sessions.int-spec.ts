import { randomUUID } from 'node:crypto';
import { rows } from '@licensing/database';
import { createEvent, KeyDeleted, LicenseRevoked } from '@licensing/events';
import { DomainError } from '@licensing/graphql';
import { BindingsService } from '../src/bindings/bindings.service';
import { ReadModelHandler } from '../src/read-model/read-model.handler';
import { SessionsModule } from '../src/sessions/sessions.module';
import { AcquireRequest, SessionsService } from '../src/sessions/sessions.service';
import { SessionsInstance, SessionsTestbed, TestKey, TestVendor } from './sessions-testbed';

const DAY = 86_400_000;

/** Seat decisions, heartbeats, release and fencing against a real database and Redis. */
describe('sessions', () => {
  let testbed: SessionsTestbed;
  let sessions: SessionsService;
  let acme: TestVendor;

  const request = (key: TestKey, productCode: string, host = 'host-1', extra: Partial<AcquireRequest> = {}) => ({
    keyCode: key.code,
    productCode,
    host: { fingerprint: host, name: host.toUpperCase() },
    session: { infobase: 'Accounting', user: 'anna', processId: '42' },
    ...extra,
  });
  const acquire = (key: TestKey, productCode: string, host?: string) =>
    sessions.acquire(request(key, productCode, host));

  async function refusal(call: Promise<unknown>): Promise<Record<string, unknown>> {
    const error: unknown = await call.then(
      () => new Error('expected a refusal'),
      (e: unknown) => e,
    );
    if (!(error instanceof DomainError)) throw error;
    return { code: error.code, licensingCode: error.licensingCode, field: error.field, ...error.details };
  }

  /** A fresh key with one license of `productCode` with `seats`. */
  async function keyWith(productCode: string, seats: number): Promise<TestKey> {
    const key = await testbed.key(acme);
    await testbed.grant(acme, key, productCode, { seats });
    return key;
  }

  const eventsOf = async (keyId: string) =>
    (await testbed.streamEvents()).filter((e) => e.subject === keyId).map((e) => `${e.type}:${e.data['sessionId']}`);

  beforeAll(async () => {
    testbed = await SessionsTestbed.start('sessions_sessions', [SessionsModule], [ReadModelHandler]);
    sessions = testbed.get(SessionsService);
    acme = await testbed.vendor('ACME', {
      DESK: 'CONCURRENT_SESSIONS',
      FILE: 'CONCURRENT_HOSTS',
      PBX: 'HOST_BINDING',
    });
  });

  afterAll(() => testbed?.close());

  describe('CONCURRENT_SESSIONS', () => {
    it('gives every session a seat until none is free (1051), and a release frees one', async () => {
      const key = await keyWith('DESK', 2);
      const first = await acquire(key, 'DESK');
      await acquire(key, 'DESK');
      expect(await refusal(acquire(key, 'DESK', 'host-2'))).toMatchObject({
        code: 'NO_FREE_LICENSE',
        licensingCode: 1051,
        seats: 2,
      });
      expect(await sessions.release(first.sessionId)).toBe(true);
      await acquire(key, 'DESK', 'host-2');
      expect(first).toMatchObject({ heartbeatIntervalSeconds: 60, standing: { seats: 2, kind: 'MAIN' } });
      expect(first.expiresAt.getTime()).toBeGreaterThan(Date.now() + 170_000);
    });
  });

  describe('CONCURRENT_HOSTS', () => {
    it('lets all sessions of a host share its seat, until the last one ends', async () => {
      const key = await keyWith('FILE', 1);
      const a = await acquire(key, 'FILE', 'pc-1');
      const b = await acquire(key, 'FILE', 'pc-1');
      expect(await refusal(acquire(key, 'FILE', 'pc-2'))).toMatchObject({ licensingCode: 1051 });
      await sessions.release(a.sessionId);
      expect(await refusal(acquire(key, 'FILE', 'pc-2'))).toMatchObject({ licensingCode: 1051 });
      await sessions.release(b.sessionId);
      await acquire(key, 'FILE', 'pc-2');
      await acquire(key, 'FILE', 'pc-2');
    });
  });

  describe('HOST_BINDING', () => {
    it('binds a new host to a free seat, refuses the next host with 1051, lets bound hosts in any number of times', async () => {
      const key = await keyWith('PBX', 1);
      const first = await acquire(key, 'PBX', 'srv-1');
      await acquire(key, 'PBX', 'srv-1');
      expect(await refusal(acquire(key, 'PBX', 'srv-2'))).toMatchObject({
        code: 'NO_FREE_LICENSE',
        licensingCode: 1051,
        field: 'input.host.fingerprint',
      });
      // Releasing a session does not free a binding.
      await sessions.release(first.sessionId);
      expect(await refusal(acquire(key, 'PBX', 'srv-2'))).toMatchObject({ licensingCode: 1051 });
      const bindings = await rows<{ host_fingerprint: string; host_name: string }>(
        testbed.dataSource,
        'SELECT host_fingerprint, host_name FROM host_bindings WHERE key_id = $1',
        [key.keyId],
      );
      expect(bindings).toEqual([{ host_fingerprint: 'srv-1', host_name: 'SRV-1' }]);
      const outbox = await rows<{ event_type: string; data: Record<string, unknown> }>(
        testbed.dataSource,
        `SELECT event_type, payload->'data' AS data FROM outbox WHERE payload->>'subject' = $1`,
        [key.keyId],
      );
      expect(outbox).toEqual([
        {
          event_type: 'binding.created',
          data: expect.objectContaining({ keyCode: key.code, productCode: 'PBX', hostFingerprint: 'srv-1' }),
        },
      ]);
    });

    it('lets a bound host in with Postgres gone, and only a new host needs it', async () => {
      const own = await SessionsInstance.start(testbed.databaseUrl, testbed.config, [SessionsModule]);
      const key = await keyWith('PBX', 2);
      const ownSessions = own.get(SessionsService);
      try {
        await ownSessions.acquire(request(key, 'PBX', 'bound'));
        await own.dataSource.destroy();
        await ownSessions.acquire(request(key, 'PBX', 'bound'));
        await expect(ownSessions.acquire(request(key, 'PBX', 'new-host'))).rejects.toThrow();
      } finally {
        await own.close();
      }
    });

    it('writes when bound hosts were last seen in one batch, not per heartbeat', async () => {
      const key = await keyWith('PBX', 1);
      const lease = await acquire(key, 'PBX', 'seen');
      const [before] = await rows<{ last_seen_at: Date }>(
        testbed.dataSource,
        'SELECT last_seen_at FROM host_bindings WHERE key_id = $1',
        [key.keyId],
      );
      await new Promise((r) => setTimeout(r, 20));
      await sessions.heartbeat(lease.sessionId);
      await sessions.heartbeat(lease.sessionId);
      const [unchanged] = await rows<{ last_seen_at: Date }>(
        testbed.dataSource,
        'SELECT last_seen_at FROM host_bindings WHERE key_id = $1',
        [key.keyId],
      );
      expect(unchanged!.last_seen_at).toEqual(before!.last_seen_at);
      expect(await testbed.get(BindingsService).flushSeen()).toBeGreaterThanOrEqual(1);
      const [after] = await rows<{ last_seen_at: Date }>(
        testbed.dataSource,
        'SELECT last_seen_at FROM host_bindings WHERE key_id = $1',
        [key.keyId],
      );
      expect(after!.last_seen_at.getTime()).toBeGreaterThan(before!.last_seen_at.getTime());
    });
  });

  describe('refusals', () => {
    it('refuses with 2008 and the reason when no license of the product is in force', async () => {
      const key = await testbed.key(acme);
      expect(await refusal(acquire(key, 'DESK'))).toMatchObject({
        code: 'LICENSE_NOT_ON_KEY',
        licensingCode: 2008,
        reason: 'NO_LICENSE',
      });
      await testbed.grant(acme, key, 'DESK', {
        startsAt: new Date(Date.now() - 9 * DAY).toISOString(),
        expiresAt: new Date(Date.now() - DAY).toISOString(),
      });
      expect(await refusal(acquire(key, 'DESK'))).toMatchObject({ licensingCode: 2008, reason: 'EXPIRED' });
      const deleted = await keyWith('DESK', 3);
      await testbed.deliver(
        createEvent(KeyDeleted, {
          vendorId: acme.id,
          subject: deleted.keyId,
          data: { keyId: deleted.keyId, code: deleted.code },
        }),
      );
      expect(await refusal(acquire(deleted, 'DESK'))).toMatchObject({ licensingCode: 2008, reason: 'KEY_DELETED' });
    });

    it('refuses malformed and unknown session ids, and changes nothing', async () => {
      expect(await refusal(sessions.heartbeat('not-a-session'))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'sessionId',
      });
      expect(await refusal(sessions.release(randomUUID()))).toMatchObject({ code: 'NOT_FOUND' });
      expect(await refusal(sessions.heartbeat(randomUUID()))).toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('heartbeats and fencing', () => {
    it('extends a live session and answers the interval', async () => {
      const key = await keyWith('DESK', 1);
      const lease = await acquire(key, 'DESK');
      await new Promise((r) => setTimeout(r, 5));
      const beat = await sessions.heartbeat(lease.sessionId);
      expect(beat.heartbeatIntervalSeconds).toBe(60);
      expect(beat.expiresAt.getTime()).toBeGreaterThan(lease.expiresAt.getTime());
    });

    it('never revives a released session: heartbeat and release again get SESSION_ENDED', async () => {
      const key = await keyWith('DESK', 1);
      const lease = await acquire(key, 'DESK');
      await sessions.release(lease.sessionId);
      expect(await refusal(sessions.heartbeat(lease.sessionId))).toMatchObject({
        code: 'SESSION_ENDED',
        reason: 'RELEASED',
      });
      expect(await refusal(sessions.release(lease.sessionId))).toMatchObject({ code: 'SESSION_ENDED' });
      // The seat stays free: the late heartbeat took nothing back.
      await acquire(key, 'DESK', 'other');
      expect(await eventsOf(key.keyId)).toEqual([
        `session.started:${lease.sessionId}`,
        `session.ended:${lease.sessionId}`,
        expect.stringMatching(/^session\.started:/),
      ]);
    });

    it('ends a session as its license is revoked (the event), and fences its heartbeat', async () => {
      const key = await testbed.key(acme);
      const granted = await testbed.grant(acme, key, 'DESK', { seats: 1 });
      const lease = await acquire(key, 'DESK');
      await testbed.deliver(testbed.licenseEvent(LicenseRevoked, acme, key, 'DESK', granted));
      expect(await refusal(sessions.heartbeat(lease.sessionId))).toMatchObject({
        code: 'SESSION_ENDED',
        reason: 'LICENSE_INACTIVE',
      });
      const ended = (await testbed.streamEvents()).filter(
        (e) => e.type === 'session.ended' && e.data['sessionId'] === lease.sessionId,
      );
      expect(ended.map((e) => e.data)).toEqual([
        { sessionId: lease.sessionId, keyId: key.keyId, keyCode: key.code, reason: 'LICENSE_INACTIVE' },
      ]);
    });

    it('ends a session at its next heartbeat once its license ran out (no event), with 2008', async () => {
      const key = await testbed.key(acme);
      await testbed.grant(acme, key, 'DESK', { seats: 1, expiresAt: new Date(Date.now() + 800).toISOString() });
      const lease = await acquire(key, 'DESK');
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await refusal(sessions.heartbeat(lease.sessionId))).toMatchObject({
        licensingCode: 2008,
        reason: 'EXPIRED',
      });
      expect(await refusal(sessions.heartbeat(lease.sessionId))).toMatchObject({
        code: 'SESSION_ENDED',
        reason: 'LICENSE_INACTIVE',
      });
      const ended = (await testbed.streamEvents()).filter(
        (e) => e.type === 'session.ended' && e.data['sessionId'] === lease.sessionId,
      );
      expect(ended.map((e) => e.data)).toEqual([
        { sessionId: lease.sessionId, keyId: key.keyId, keyCode: key.code, reason: 'LICENSE_INACTIVE' },
      ]);
    });

    it('announces each start and end once, with what partners need', async () => {
      const key = await keyWith('FILE', 2);
      const lease = await acquire(key, 'FILE', 'pc-9');
      await sessions.release(lease.sessionId);
      const mine = (await testbed.streamEvents()).filter((e) => e.subject === key.keyId);
      expect(mine).toEqual([
        {
          type: 'session.started',
          subject: key.keyId,
          data: {
            sessionId: lease.sessionId,
            keyId: key.keyId,
            keyCode: key.code,
            productCode: 'FILE',
            hostFingerprint: 'pc-9',
          },
        },
        {
          type: 'session.ended',
          subject: key.keyId,
          data: { sessionId: lease.sessionId, keyId: key.keyId, keyCode: key.code, reason: 'RELEASED' },
        },
      ]);
    });
  });

  it('lists the live sessions of a key for the monitor', async () => {
    const key = await keyWith('DESK', 3);
    const a = await acquire(key, 'DESK', 'pc-a');
    const b = await acquire(key, 'DESK', 'pc-b');
    await sessions.release(a.sessionId);
    expect(await sessions.findLiveByKey({ vendorId: acme.id }, key.keyId)).toEqual([
      expect.objectContaining({
        sessionId: b.sessionId,
        fp: 'pc-b',
        hostName: 'PC-B',
        infobase: 'Accounting',
        user: 'anna',
        processId: '42',
        productCode: 'DESK',
      }),
    ]);
  });
});
