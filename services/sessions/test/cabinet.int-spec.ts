import { randomUUID } from 'node:crypto';
import { rows } from '@licensing/database';
import { DomainError } from '@licensing/graphql';
import { BindingsService } from '../src/bindings/bindings.service';
import { ReadModelHandler } from '../src/read-model/read-model.handler';
import { SessionsModule } from '../src/sessions/sessions.module';
import { SessionsService } from '../src/sessions/sessions.service';
import { SessionsTestbed, TestKey, TestVendor } from './sessions-testbed';

/** What the vendor and client cabinets do to bindings and sessions, each within its scope. */
describe('cabinet: resetting bindings and terminating sessions', () => {
  let testbed: SessionsTestbed;
  let sessions: SessionsService;
  let bindings: BindingsService;
  let acme: TestVendor;
  let globex: TestVendor;

  const vendorOf = (v: TestVendor) => ({ vendorId: v.id });
  const clientOf = (k: TestKey) => ({ vendorId: k.vendorId, keyId: k.keyId });
  const acquire = (key: TestKey, productCode: string, host: string) =>
    sessions.acquire({ keyCode: key.code, productCode, host: { fingerprint: host } });

  async function refusal(call: Promise<unknown>): Promise<string> {
    const error: unknown = await call.then(
      () => new Error('expected a refusal'),
      (e: unknown) => e,
    );
    if (!(error instanceof DomainError)) throw error;
    return `${error.code}${error.details?.['reason'] ? `:${String(error.details['reason'])}` : ''}`;
  }

  async function keyWith(productCode: string, seats: number, vendor = acme): Promise<TestKey> {
    const key = await testbed.key(vendor);
    await testbed.grant(vendor, key, productCode, { seats });
    return key;
  }

  const resets = async (keyId: string) =>
    (
      await rows<{ data: Record<string, unknown> }>(
        testbed.dataSource,
        `SELECT payload->'data' AS data FROM outbox WHERE event_type = 'binding.reset' AND payload->>'subject' = $1
        ORDER BY created_at`,
        [keyId],
      )
    ).map((r) => r.data);

  beforeAll(async () => {
    testbed = await SessionsTestbed.start('sessions_cabinet', [SessionsModule], [ReadModelHandler]);
    sessions = testbed.get(SessionsService);
    bindings = testbed.get(BindingsService);
    acme = await testbed.vendor('ACME', { PBX: 'HOST_BINDING', APP: 'HOST_BINDING', DESK: 'CONCURRENT_SESSIONS' });
    globex = await testbed.vendor('GLBX', { PBX: 'HOST_BINDING' });
  });

  afterAll(() => testbed?.close());

  it('resets one binding: the seat goes to a new host, the old host’s session ends at its next heartbeat', async () => {
    const key = await keyWith('PBX', 1);
    const old = await acquire(key, 'PBX', 'old-pc');
    expect(await refusal(acquire(key, 'PBX', 'new-pc'))).toBe('NO_FREE_LICENSE');
    const [binding] = await bindings.findByKey(vendorOf(acme), key.keyId);
    expect(binding).toMatchObject({ hostFingerprint: 'old-pc' });

    expect(await bindings.reset(vendorOf(acme), binding!.id)).toBe(true);
    await acquire(key, 'PBX', 'new-pc');
    expect(await refusal(sessions.heartbeat(old.sessionId))).toBe('SESSION_ENDED:TERMINATED');
    expect(await refusal(acquire(key, 'PBX', 'old-pc'))).toBe('NO_FREE_LICENSE');
    expect(await resets(key.keyId)).toEqual([
      {
        bindingId: binding!.id,
        keyId: key.keyId,
        keyCode: key.code,
        productCode: 'PBX',
        hostFingerprint: 'old-pc',
        hostName: null,
      },
    ]);
    expect(await refusal(bindings.reset(vendorOf(acme), binding!.id))).toBe('NOT_FOUND');
  });

  it('resets every binding of a key, or of one product, and counts them', async () => {
    const key = await keyWith('PBX', 2);
    await testbed.grant(acme, key, 'APP', { seats: 1 });
    await Promise.all([acquire(key, 'PBX', 'a'), acquire(key, 'PBX', 'b'), acquire(key, 'APP', 'a')]);
    expect(await bindings.resetAll(vendorOf(acme), key.code, 'APP')).toBe(1);
    expect((await bindings.findByKey(vendorOf(acme), key.keyId)).map((b) => b.hostFingerprint).sort()).toEqual([
      'a',
      'b',
    ]);
    await acquire(key, 'APP', 'c');
    expect(await bindings.resetAll(vendorOf(acme), key.code.toLowerCase())).toBe(3);
    expect(await bindings.findByKey(vendorOf(acme), key.keyId)).toEqual([]);
    // No host gets in on the word of a cache that knew the old bindings.
    await Promise.all([acquire(key, 'PBX', 'x'), acquire(key, 'PBX', 'y')]);
    expect(await refusal(acquire(key, 'PBX', 'a'))).toBe('NO_FREE_LICENSE');
    expect(await bindings.resetAll(vendorOf(acme), key.code, 'DESK')).toBe(0);
    expect(await refusal(bindings.resetAll(vendorOf(acme), key.code, 'NOPE'))).toBe('NOT_FOUND');
    expect(await refusal(bindings.resetAll(vendorOf(acme), 'garbage'))).toBe('BAD_USER_INPUT');
  });

  it('keeps a client to its own key and a vendor to its own keys', async () => {
    const mine = await keyWith('PBX', 1);
    const theirs = await keyWith('PBX', 1);
    const foreign = await keyWith('PBX', 1, globex);
    await Promise.all([acquire(mine, 'PBX', 'pc'), acquire(theirs, 'PBX', 'pc'), acquire(foreign, 'PBX', 'pc')]);
    const [theirBinding] = await bindings.findByKey(vendorOf(acme), theirs.keyId);
    const [foreignBinding] = await bindings.findByKey(vendorOf(globex), foreign.keyId);

    expect(await bindings.findByKey(clientOf(mine), theirs.keyId)).toEqual([]);
    expect(await bindings.findByKey(vendorOf(acme), foreign.keyId)).toEqual([]);
    expect(await refusal(bindings.reset(clientOf(mine), theirBinding!.id))).toBe('NOT_FOUND');
    expect(await refusal(bindings.reset(vendorOf(acme), foreignBinding!.id))).toBe('NOT_FOUND');
    expect(await refusal(bindings.resetAll(clientOf(mine), theirs.code))).toBe('NOT_FOUND');
    expect(await refusal(bindings.resetAll(vendorOf(acme), foreign.code))).toBe('NOT_FOUND');
    expect(await bindings.resetAll(clientOf(mine), mine.code)).toBe(1);
    expect(await bindings.findByKey(vendorOf(acme), theirs.keyId)).toHaveLength(1);
    expect(await bindings.findByKey(vendorOf(globex), foreign.keyId)).toHaveLength(1);
  });

  it('terminates a session of the vendor’s key: its seat is free and it stays ended', async () => {
    const key = await keyWith('DESK', 1);
    const lease = await acquire(key, 'DESK', 'pc');
    expect(await refusal(sessions.terminate(globex.id, lease.sessionId))).toBe('NOT_FOUND');
    expect(await sessions.findLiveByKey(vendorOf(globex), key.keyId)).toEqual([]);
    expect(await sessions.findLiveByKey(vendorOf(acme), key.keyId)).toHaveLength(1);
    expect(await sessions.terminate(acme.id, lease.sessionId)).toBe(true);
    expect(await refusal(sessions.terminate(acme.id, lease.sessionId))).toBe('SESSION_ENDED:TERMINATED');
    expect(await refusal(sessions.heartbeat(lease.sessionId))).toBe('SESSION_ENDED:TERMINATED');
    expect(await refusal(sessions.terminate(acme.id, randomUUID()))).toBe('NOT_FOUND');
    expect(await sessions.findLiveByKey(vendorOf(acme), key.keyId)).toEqual([]);
    await acquire(key, 'DESK', 'pc-2');
  });
});
