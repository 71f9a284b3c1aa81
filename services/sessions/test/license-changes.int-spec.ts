import { randomUUID } from 'node:crypto';
import { rows } from '@licensing/database';
import { createEvent, KeyDeleted, LicenseChanged, LicenseRevoked, LicenseStateData } from '@licensing/events';
import { ReadModelHandler } from '../src/read-model/read-model.handler';
import { SessionsModule } from '../src/sessions/sessions.module';
import { SessionsRepository } from '../src/sessions/sessions.repository';
import { AcquireRequest, Lease, SessionsService } from '../src/sessions/sessions.service';
import { SessionsTestbed, TestKey, TestVendor } from './sessions-testbed';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A license change from the keys service applies to live sessions at once, not at their next
 * heartbeat: seats reduced below the holders end the newest over the count (SEATS_REDUCED); a
 * license no longer in force or a deleted key ends them all. Each session ends and is announced
 * once, with two instances and redelivered events.
 */
describe('license changes applied to live sessions at once', () => {
  let testbed: SessionsTestbed;
  let acme: TestVendor;
  const service = (i = 0) => testbed.instances[i]!.get(SessionsService);

  const request = (key: TestKey, productCode: string, host: string): AcquireRequest => ({
    keyCode: key.code,
    productCode,
    host: { fingerprint: host },
  });

  /** Acquires one after another, a few ms apart, so "newest" is well defined. */
  async function acquireInTurn(key: TestKey, productCode: string, hosts: string[]): Promise<Lease[]> {
    const leases: Lease[] = [];
    for (const host of hosts) {
      leases.push(await service(leases.length % 2).acquire(request(key, productCode, host)));
      await sleep(5);
    }
    return leases;
  }

  const live = async (key: TestKey) =>
    (await service().findLiveByKey({ vendorId: acme.id }, key.keyId)).map((s) => s.sessionId).sort();
  const ended = async (key: TestKey) =>
    (await testbed.streamEvents())
      .filter((e) => e.subject === key.keyId && e.type === 'session.ended')
      .map((e) => ({ sessionId: e.data['sessionId'], reason: e.data['reason'] }));

  /** Delivers one event to both instances at the same time, then once more (a redelivery). */
  async function deliverTwiceOverTwoInstances(event: Parameters<SessionsTestbed['deliver']>[0]): Promise<void> {
    await Promise.all(testbed.instances.map((i) => i.delivery.deliver(event)));
    await testbed.deliver(event);
  }

  const change = (key: TestKey, product: string, license: LicenseStateData, terms: Partial<LicenseStateData>) =>
    testbed.licenseEvent(LicenseChanged, acme, key, product, { ...license, ...terms });

  beforeAll(async () => {
    testbed = await SessionsTestbed.start('sessions_changes', [SessionsModule], [ReadModelHandler], { instances: 2 });
    acme = await testbed.vendor('CHNG', {
      DESK: 'CONCURRENT_SESSIONS',
      FILE: 'CONCURRENT_HOSTS',
      PBX: 'HOST_BINDING',
      APP: 'CONCURRENT_SESSIONS',
      MODULE: { model: 'CONCURRENT_SESSIONS', requires: 'APP' },
    });
  });

  afterAll(() => testbed?.close());

  it('CONCURRENT_SESSIONS: seats reduced end the newest sessions over the count, once', async () => {
    const key = await testbed.key(acme);
    const license = await testbed.grant(acme, key, 'DESK', { seats: 4 });
    const leases = await acquireInTurn(key, 'DESK', ['a', 'b', 'c', 'd']);
    await deliverTwiceOverTwoInstances(change(key, 'DESK', license, { seats: 2 }));
    expect(await live(key)).toEqual([leases[0]!.sessionId, leases[1]!.sessionId].sort());
    expect(await ended(key)).toEqual(
      expect.arrayContaining([
        { sessionId: leases[2]!.sessionId, reason: 'SEATS_REDUCED' },
        { sessionId: leases[3]!.sessionId, reason: 'SEATS_REDUCED' },
      ]),
    );
    expect(await ended(key)).toHaveLength(2);
    // The ended sessions stay ended; the kept ones heartbeat on.
    await expect(service(1).heartbeat(leases[3]!.sessionId)).rejects.toMatchObject({ code: 'SESSION_ENDED' });
    await expect(service(1).heartbeat(leases[0]!.sessionId)).resolves.toMatchObject({
      sessionId: leases[0]!.sessionId,
    });
  });

  it('CONCURRENT_HOSTS: the newest hosts over the count end with all their sessions', async () => {
    const key = await testbed.key(acme);
    const license = await testbed.grant(acme, key, 'FILE', { seats: 3 });
    const leases = await acquireInTurn(key, 'FILE', ['h1', 'h2', 'h1', 'h3', 'h2']);
    await deliverTwiceOverTwoInstances(change(key, 'FILE', license, { seats: 2 }));
    // h3's first session is the newest host seat: h1 and h2 stay with all their sessions.
    expect(await live(key)).toEqual([0, 1, 2, 4].map((i) => leases[i]!.sessionId).sort());
    expect(await ended(key)).toEqual([{ sessionId: leases[3]!.sessionId, reason: 'SEATS_REDUCED' }]);
  });

  it('HOST_BINDING: the newest bindings over the seats are reset and their hosts’ sessions end', async () => {
    const key = await testbed.key(acme);
    const license = await testbed.grant(acme, key, 'PBX', { seats: 3 });
    const leases = await acquireInTurn(key, 'PBX', ['p1', 'p2', 'p3', 'p1']);
    await deliverTwiceOverTwoInstances(change(key, 'PBX', license, { seats: 1 }));
    const bound = await rows<{ host_fingerprint: string }>(
      testbed.dataSource,
      'SELECT host_fingerprint FROM host_bindings WHERE key_id = $1',
      [key.keyId],
    );
    expect(bound.map((b) => b.host_fingerprint)).toEqual(['p1']);
    expect(await live(key)).toEqual([leases[0]!.sessionId, leases[3]!.sessionId].sort());
    expect((await ended(key)).sort((a, b) => a.sessionId.localeCompare(b.sessionId))).toEqual(
      [leases[1]!, leases[2]!]
        .map((l) => ({ sessionId: l.sessionId, reason: 'SEATS_REDUCED' }))
        .sort((a, b) => a.sessionId.localeCompare(b.sessionId)),
    );
    await expect(service().acquire(request(key, 'PBX', 'p2'))).rejects.toMatchObject({ licensingCode: 1051 });
  });

  it.each([
    ['a revocation', 'LICENSE_INACTIVE'],
    ['a deactivation', 'LICENSE_INACTIVE'],
    ['a deleted key', 'KEY_DELETED'],
  ])('ends every session of the key at once after %s (%s)', async (what, reason) => {
    const key = await testbed.key(acme);
    const desk = await testbed.grant(acme, key, 'DESK', { seats: 3 });
    await testbed.grant(acme, key, 'FILE', { seats: 3 });
    const leases = [...(await acquireInTurn(key, 'DESK', ['x', 'y'])), ...(await acquireInTurn(key, 'FILE', ['x']))];
    const event =
      what === 'a revocation'
        ? testbed.licenseEvent(LicenseRevoked, acme, key, 'DESK', { ...desk, active: false })
        : what === 'a deactivation'
          ? change(key, 'DESK', desk, { active: false })
          : createEvent(KeyDeleted, {
              vendorId: acme.id,
              subject: key.keyId,
              data: { keyId: key.keyId, code: key.code },
            });
    await deliverTwiceOverTwoInstances(event);
    const gone = what === 'a deleted key' ? leases : leases.slice(0, 2);
    expect((await ended(key)).map((e) => e.sessionId).sort()).toEqual(gone.map((l) => l.sessionId).sort());
    expect(new Set((await ended(key)).map((e) => e.reason))).toEqual(new Set([reason]));
    expect(await live(key)).toEqual(what === 'a deleted key' ? [] : [leases[2]!.sessionId]);
    await expect(service(1).heartbeat(leases[0]!.sessionId)).rejects.toMatchObject({
      code: 'SESSION_ENDED',
      details: { reason },
    });
  });

  it('ends the sessions of a product whose required product stopped being in force', async () => {
    const key = await testbed.key(acme);
    const app = await testbed.grant(acme, key, 'APP', { seats: 2 });
    await testbed.grant(acme, key, 'MODULE', { seats: 2 });
    const [onModule] = await acquireInTurn(key, 'MODULE', ['m']);
    await testbed.deliver(testbed.licenseEvent(LicenseRevoked, acme, key, 'APP', { ...app, active: false }));
    expect(await ended(key)).toEqual([{ sessionId: onModule!.sessionId, reason: 'LICENSE_INACTIVE' }]);
  });

  it('keeps an acquire that read the license before a reduction from taking a seat the reduction took', async () => {
    const key = await testbed.key(acme);
    const license = await testbed.grant(acme, key, 'DESK', { seats: 3 });
    const stale = await service().acquire(request(key, 'DESK', 's1'));
    await testbed.deliver(change(key, 'DESK', license, { seats: 1 }));
    // An acquire whose read said 3 seats reaches the seat script only now.
    const [held] = await service().findLiveByKey({ vendorId: acme.id }, key.keyId);
    const late = await testbed.get(SessionsRepository).acquire(
      {
        sessionId: randomUUID(),
        model: 'CONCURRENT_SESSIONS',
        vendorId: acme.id,
        keyId: key.keyId,
        keyCode: key.code,
        productId: held!.productId,
        productCode: 'DESK',
        fp: 's2',
        hostName: '',
        hostOs: '',
        hostIp: '',
        platformVersion: '',
        infobase: '',
        user: '',
        processId: '',
        bindingId: '',
      },
      3,
      { defaultIntervalSeconds: 60, loadFactor: 1, graceIntervals: 3 },
    );
    expect(late).toEqual({ taken: false, held: 1 });
    expect(await live(key)).toEqual([stale.sessionId]);
  });
});
