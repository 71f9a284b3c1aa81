import { DomainError } from '@licensing/graphql';
import { ReadModelHandler } from '../src/read-model/read-model.handler';
import { SessionsModule } from '../src/sessions/sessions.module';
import { SessionsService } from '../src/sessions/sessions.service';
import { SessionsTestbed, TestKey, TestVendor } from './sessions-testbed';

/** A session holds HEARTBEAT_INTERVAL_SECONDS × HEARTBEAT_GRACE_INTERVALS = 3 s here. */
const TTL_MS = 3_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Expiry, fencing of late heartbeats, and sweeping from two instances, with real time. */
describe('session expiry', () => {
  let testbed: SessionsTestbed;
  let sessions: SessionsService;
  let acme: TestVendor;

  const acquire = (key: TestKey, productCode: string, host = 'host-1') =>
    sessions.acquire({ keyCode: key.code, productCode, host: { fingerprint: host } });

  async function keyWith(productCode: string, seats: number): Promise<TestKey> {
    const key = await testbed.key(acme);
    await testbed.grant(acme, key, productCode, { seats });
    return key;
  }

  async function code(call: Promise<unknown>): Promise<string> {
    const error: unknown = await call.then(
      () => new Error('expected a refusal'),
      (e: unknown) => e,
    );
    if (!(error instanceof DomainError)) throw error;
    return `${error.code}${error.details?.['reason'] ? `:${String(error.details['reason'])}` : ''}`;
  }

  const ended = async (sessionId: string) =>
    (await testbed.streamEvents()).filter((e) => e.type === 'session.ended' && e.data['sessionId'] === sessionId);

  beforeAll(async () => {
    testbed = await SessionsTestbed.start('sessions_expiry', [SessionsModule], [ReadModelHandler], {
      instances: 2,
      config: { HEARTBEAT_INTERVAL_SECONDS: '1', HEARTBEAT_GRACE_INTERVALS: '3' },
    });
    sessions = testbed.get(SessionsService);
    acme = await testbed.vendor('ACME', { DESK: 'CONCURRENT_SESSIONS', FILE: 'CONCURRENT_HOSTS' });
  });

  afterAll(() => testbed?.close());

  it('frees the seat of a session that missed its heartbeats, and fences its late heartbeat', async () => {
    const desk = await keyWith('DESK', 1);
    const file = await keyWith('FILE', 1);
    const kept = await keyWith('DESK', 1);
    const [lapsed, lapsedHost, beating] = await Promise.all([
      acquire(desk, 'DESK'),
      acquire(file, 'FILE', 'pc-1'),
      acquire(kept, 'DESK'),
    ]);
    expect(lapsed.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(TTL_MS);
    expect(await code(acquire(desk, 'DESK', 'host-2'))).toBe('NO_FREE_LICENSE');
    // One session heartbeats every interval; the others stay silent past their expiry.
    for (let t = 0; t < 4; t++) {
      await sleep(900);
      await sessions.heartbeat(beating.sessionId);
    }
    await acquire(desk, 'DESK', 'host-2');
    await acquire(file, 'FILE', 'pc-2');
    expect(await code(acquire(kept, 'DESK', 'host-2'))).toBe('NO_FREE_LICENSE');
    expect(await code(sessions.heartbeat(lapsed.sessionId))).toBe('SESSION_ENDED:EXPIRED');
    expect(await code(sessions.heartbeat(lapsedHost.sessionId))).toBe('SESSION_ENDED:EXPIRED');
    expect((await ended(lapsed.sessionId)).map((e) => e.data['reason'])).toEqual(['EXPIRED']);
    expect((await ended(lapsedHost.sessionId)).map((e) => e.data['reason'])).toEqual(['EXPIRED']);
  });

  it('refuses the heartbeat of an expired session nobody has swept yet, and takes no seat back', async () => {
    const key = await keyWith('DESK', 1);
    const lease = await acquire(key, 'DESK');
    await sleep(TTL_MS + 100);
    expect(await code(sessions.heartbeat(lease.sessionId))).toBe('SESSION_ENDED:EXPIRED');
    expect(await code(sessions.release(lease.sessionId))).toBe('SESSION_ENDED:EXPIRED');
    await acquire(key, 'DESK', 'host-2');
    expect(await ended(lease.sessionId)).toHaveLength(1);
  });

  it('ends each expired session once when two instances sweep at the same time', async () => {
    const keys = await Promise.all([keyWith('DESK', 12), keyWith('FILE', 4)]);
    const leases = await Promise.all(
      keys.flatMap((key, k) =>
        Array.from({ length: 12 }, (_, i) => acquire(key, k === 0 ? 'DESK' : 'FILE', `pc-${i % 4}`)),
      ),
    );
    await sleep(TTL_MS + 100);
    const endings = async () => (await testbed.streamEvents()).filter((e) => e.type === 'session.ended').length;
    const before = await endings();
    const sweeps = await Promise.all(
      testbed.instances.flatMap((instance) => [1, 2, 3].map(() => instance.get(SessionsService).sweep())),
    );
    // Earlier tests' sessions expire too; every ending the sweeps count is announced once.
    const swept = sweeps.reduce((a, b) => a + b, 0);
    expect(swept).toBeGreaterThanOrEqual(leases.length);
    expect((await endings()) - before).toBe(swept);
    for (const lease of leases) expect(await ended(lease.sessionId)).toHaveLength(1);
    // Every seat is free again.
    await Promise.all(Array.from({ length: 12 }, (_, i) => acquire(keys[0]!, 'DESK', `new-${i}`)));
    await Promise.all(Array.from({ length: 4 }, (_, i) => acquire(keys[1]!, 'FILE', `new-${i}`)));
  });
});
