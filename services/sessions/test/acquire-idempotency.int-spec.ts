import { DomainError } from '@licensing/graphql';
import { redisPrefix } from '../src/config';
import { ReadModelHandler } from '../src/read-model/read-model.handler';
import { IDEMPOTENCY_TTL_MS } from '../src/sessions/sessions.repository';
import { AcquireRequest, SessionsService } from '../src/sessions/sessions.service';
import { SessionsModule } from '../src/sessions/sessions.module';
import { SessionsTestbed, TestKey, TestVendor } from './sessions-testbed';

/**
 * AcquireLicense with an idempotency key: a retry (racing or not, on either instance) gets
 * the first acquire's session, a refused first try is not remembered, another input with the
 * same key is refused.
 */
describe('AcquireLicense idempotency keys', () => {
  let testbed: SessionsTestbed;
  let acme: TestVendor;
  const one = () => testbed.instances[0]!.get(SessionsService);
  const two = () => testbed.instances[1]!.get(SessionsService);

  const request = (
    key: TestKey,
    productCode: string,
    idempotencyKey: string | null,
    host = 'host-1',
  ): AcquireRequest => ({
    keyCode: key.code,
    productCode,
    host: { fingerprint: host, name: host.toUpperCase() },
    session: { infobase: 'Trade', user: 'anna' },
    idempotencyKey,
  });

  async function refusal(call: Promise<unknown>): Promise<Record<string, unknown>> {
    const error: unknown = await call.then(
      () => new Error('expected a refusal'),
      (e: unknown) => e,
    );
    if (!(error instanceof DomainError)) throw error;
    return { code: error.code, licensingCode: error.licensingCode, field: error.field, ...error.details };
  }

  const started = async (keyId: string) =>
    (await testbed.streamEvents()).filter((e) => e.subject === keyId && e.type === 'session.started').length;

  async function keyWith(productCode: string, seats: number): Promise<TestKey> {
    const key = await testbed.key(acme);
    await testbed.grant(acme, key, productCode, { seats });
    return key;
  }

  beforeAll(async () => {
    testbed = await SessionsTestbed.start('sessions_idempotency', [SessionsModule], [ReadModelHandler], {
      instances: 2,
    });
    acme = await testbed.vendor('IDEM', { DESK: 'CONCURRENT_SESSIONS', FILE: 'CONCURRENT_HOSTS', PBX: 'HOST_BINDING' });
  });

  afterAll(() => testbed?.close());

  it.each(['DESK', 'FILE', 'PBX'])('%s: a retry answers the same session and takes no second seat', async (product) => {
    const key = await keyWith(product, 1);
    const first = await one().acquire(request(key, product, 'retry-0001'));
    const again = await two().acquire(request(key, product, 'retry-0001'));
    expect(again.sessionId).toBe(first.sessionId);
    expect(again.expiresAt.getTime()).toBe(first.expiresAt.getTime());
    expect(await started(key.keyId)).toBe(1);
    // The one seat is the first session's: a new session on another host gets 1051.
    expect(await refusal(one().acquire(request(key, product, 'other-0001', 'host-2')))).toMatchObject({
      licensingCode: 1051,
    });
  });

  it('gives 50 racing retries over two instances one session, one seat and one session.started', async () => {
    const key = await keyWith('DESK', 5);
    const leases = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? one() : two()).acquire(request(key, 'DESK', 'race-key-01'))),
    );
    expect(new Set(leases.map((l) => l.sessionId)).size).toBe(1);
    expect(await started(key.keyId)).toBe(1);
    const live = await one().findLiveByKey({ vendorId: acme.id }, key.keyId);
    expect(live.map((s) => s.sessionId)).toEqual([leases[0]!.sessionId]);
  });

  it('does not pin a refusal: a retry after 1051 or 2008 is decided afresh', async () => {
    const key = await keyWith('DESK', 1);
    const holder = await one().acquire(request(key, 'DESK', null, 'holder'));
    expect(await refusal(one().acquire(request(key, 'DESK', 'after-1051')))).toMatchObject({ licensingCode: 1051 });
    await one().release(holder.sessionId);
    const retried = await two().acquire(request(key, 'DESK', 'after-1051'));
    expect(retried.sessionId).not.toBe(holder.sessionId);

    const bare = await testbed.key(acme);
    expect(await refusal(one().acquire(request(bare, 'DESK', 'after-2008')))).toMatchObject({ licensingCode: 2008 });
    await testbed.grant(acme, bare, 'DESK', { seats: 1 });
    const granted = await one().acquire(request(bare, 'DESK', 'after-2008'));
    expect(await two().acquire(request(bare, 'DESK', 'after-2008'))).toMatchObject({ sessionId: granted.sessionId });
  });

  it('refuses the same key with another input (CONFLICT naming the field) and changes nothing', async () => {
    const key = await keyWith('DESK', 3);
    const first = await one().acquire(request(key, 'DESK', 'reused-key'));
    for (const other of [
      request(key, 'DESK', 'reused-key', 'host-2'),
      { ...request(key, 'DESK', 'reused-key'), session: null },
    ]) {
      expect(await refusal(two().acquire(other))).toMatchObject({
        code: 'CONFLICT',
        field: 'input.idempotencyKey',
      });
    }
    expect(await started(key.keyId)).toBe(1);
    expect((await one().findLiveByKey({ vendorId: acme.id }, key.keyId)).map((s) => s.sessionId)).toEqual([
      first.sessionId,
    ]);
  });

  it('keys by license key: the same idempotency key on two keys gives two sessions', async () => {
    const [a, b] = [await keyWith('DESK', 1), await keyWith('DESK', 1)];
    const [onA, onB] = await Promise.all([
      one().acquire(request(a, 'DESK', 'shared-idem')),
      two().acquire(request(b, 'DESK', 'shared-idem')),
    ]);
    expect(onA.sessionId).not.toBe(onB.sessionId);
  });

  it('answers a retry after the session ended with SESSION_ENDED, and keeps the key for 24 hours', async () => {
    const key = await keyWith('DESK', 1);
    const first = await one().acquire(request(key, 'DESK', 'ended-key'));
    const prefix = redisPrefix(testbed.config);
    const ttl = await testbed.main.redis.pttl(`${prefix}:idem:${acme.id}:${key.keyId}:ended-key`);
    expect(ttl).toBeGreaterThan(IDEMPOTENCY_TTL_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(IDEMPOTENCY_TTL_MS);
    expect(IDEMPOTENCY_TTL_MS).toBe(86_400_000);
    await one().release(first.sessionId);
    expect(await refusal(two().acquire(request(key, 'DESK', 'ended-key')))).toMatchObject({
      code: 'SESSION_ENDED',
      field: 'input.idempotencyKey',
      reason: 'RELEASED',
    });
    expect(await started(key.keyId)).toBe(1);
  });
});
