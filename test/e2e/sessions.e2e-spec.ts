import { randomUUID } from 'node:crypto';
import { Topics } from '@licensing/events';
import { eventually } from '@licensing/testing';
import { contractOperation } from '../support/contract';
import { EventProbe, probeTopic } from '../support/kafka';
import { GraphQLResponse, startTestStack, TestStack } from '../support/stack';

const errorOf = (res: GraphQLResponse) => res.errors?.[0]?.extensions ?? {};
const DAY = 86_400_000;
/** dd.MM.yyyy of a date-time, as the check's message shows it. */
const dotted = (iso: string) => {
  const d = new Date(iso);
  return `${String(d.getUTCDate()).padStart(2, '0')}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${d.getUTCFullYear()}`;
};

interface Vendor {
  id: string;
  apiKey: string;
}

describe('sessions through the gateway: acquire, heartbeat, release and check with the key as credential', () => {
  let stack: TestStack;
  let acme: Vendor;
  let globex: Vendor;
  let distributorId: string;
  let probe: EventProbe;

  const call = (name: string, variables: Record<string, unknown>, token?: string) =>
    stack.call(contractOperation(name), variables, token);

  const host = (fingerprint: string) => ({
    fingerprint,
    name: fingerprint.toUpperCase(),
    os: 'Windows 11',
    ip: '10.0.0.7',
    platformVersion: '8.3.24',
  });
  const acquire = (keyCode: string, productCode: string, fingerprint: string, token?: string) =>
    call(
      'AcquireLicense',
      { input: { keyCode, productCode, host: host(fingerprint), session: { infobase: 'Trade', user: 'anna' } } },
      token,
    );
  const check = (keyCode: string, productCode: string) => call('CheckLicense', { input: { keyCode, productCode } });

  /** A key of `vendor` with the licenses an ADD_PRODUCT coupon grants, activated from the cabinet. */
  async function keyWith(
    vendor: Vendor,
    products: { productCode: string; periodDays: number | null; seats: number }[],
  ): Promise<{ id: string; code: string; activationId: string }> {
    const created = await call(
      'CreateLicenseKey',
      { input: { client: { company: `Co ${randomUUID()}` } } },
      vendor.apiKey,
    );
    const key = created.data!['createLicenseKey'] as { id: string; code: string };
    const batch = await call(
      'GenerateCoupons',
      { input: { type: 'ADD_PRODUCT', distributorId, products } },
      vendor.apiKey,
    );
    const couponCode = batch.data!['generateCoupons'].coupons.edges[0].node.code as string;
    // The coupons service learns of a new key from its event: retry while it does not know it yet.
    const activated = await eventually(
      async () => {
        const res = await call('ActivateCoupon', { input: { keyCode: key.code, couponCode } }, vendor.apiKey);
        return res.data?.['activateCoupon'] as { id: string } | undefined;
      },
      { what: 'coupon activation' },
    );
    for (const p of products) await checkWhen(key.code, p.productCode, (c) => c.active);
    return { ...key, activationId: activated.id };
  }

  /** Checks until the answer satisfies `ok`; the answer and how long it took. */
  async function checkWhen(keyCode: string, productCode: string, ok: (c: any) => boolean) {
    const answer = await eventually(
      async () => {
        const res = await check(keyCode, productCode);
        const c = res.data?.['checkLicense'];
        return c && ok(c) ? c : undefined;
      },
      { what: `check of ${productCode}`, intervalMs: 20 },
    );
    // How soon a change reaches the check is measured in `npm run bench -- sessions` (keys → check).
    return { answer };
  }

  beforeAll(async () => {
    stack = await startTestStack();
    const vendor = async (prefix: string): Promise<Vendor> => {
      const res = await call('CreateVendor', { input: { prefix, name: prefix } }, stack.operatorToken);
      return { id: res.data!['createVendor'].vendor.id, apiKey: res.data!['createVendor'].apiKey };
    };
    [acme, globex] = await Promise.all([vendor('ACME'), vendor('GLBX')]);
    for (const input of [
      { code: 'PBX', name: 'PBX', licenseModel: 'HOST_BINDING' },
      { code: 'DESK', name: 'Desktop', licenseModel: 'CONCURRENT_SESSIONS' },
      { code: 'FILE', name: 'File mode', licenseModel: 'CONCURRENT_HOSTS' },
    ]) {
      await call('CreateProduct', { input }, acme.apiKey);
    }
    await call(
      'CreateProduct',
      { input: { code: 'PBX', name: 'Globex PBX', licenseModel: 'HOST_BINDING' } },
      globex.apiKey,
    );
    await call(
      'CreateProduct',
      { input: { code: 'ONLYG', name: 'Globex only', licenseModel: 'HOST_BINDING' } },
      globex.apiKey,
    );
    distributorId = (await call('CreateDistributor', { input: { name: 'Partner' } }, acme.apiKey)).data![
      'createDistributor'
    ].id;
    probe = await probeTopic(`${stack.subgraphs.sessions.topicPrefix}${Topics.sessions}`);
  });

  afterAll(async () => {
    await probe?.stop();
    await stack?.close();
  });

  describe('CheckLicense', () => {
    it('answers with a request id and the message applications show, and support finds the check by it', async () => {
      const key = await keyWith(acme, [{ productCode: 'DESK', periodDays: 365, seats: 3 }]);
      const res = await check(key.code.toLowerCase().replace(/-/g, ' '), 'DESK');
      expect(res.errors).toBeUndefined();
      const answer = res.data!['checkLicense'];
      expect(answer).toMatchObject({
        active: true,
        reason: null,
        signature: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      });
      expect(answer.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(new Date(answer.validUntil).getTime()).toBeGreaterThan(Date.now() + 364 * DAY);
      expect(answer.message).toBe(`License active until ${dotted(answer.validUntil)}`);

      const found = await call('LicenseCheck', { requestId: answer.requestId }, acme.apiKey);
      expect(found.data!['licenseCheck']).toEqual({
        requestId: answer.requestId,
        checkedAt: expect.any(String),
        keyCode: key.code,
        productCode: 'DESK',
        active: true,
        validUntil: answer.validUntil,
        reason: null,
        message: answer.message,
      });
      // Another vendor does not see it; an application cannot look it up.
      expect(errorOf(await call('LicenseCheck', { requestId: answer.requestId }, globex.apiKey))).toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(errorOf(await call('LicenseCheck', { requestId: answer.requestId }))).toMatchObject({
        code: 'UNAUTHENTICATED',
      });
      const event = await eventually(
        () => probe.events.find((e) => e.type === 'license.checked' && e.data.requestId === answer.requestId),
        { what: 'license.checked' },
      );
      expect(event).toMatchObject({
        subject: key.id,
        vendorId: acme.id,
        data: { keyCode: key.code, productCode: 'DESK', active: true, validUntil: answer.validUntil },
      });
    });

    it('sees a coupon deactivation and a new activation at a following check', async () => {
      const key = await keyWith(acme, [{ productCode: 'FILE', periodDays: 30, seats: 1 }]);
      const off = await call('DeactivateActivation', { id: key.activationId }, acme.apiKey);
      expect(off.errors).toBeUndefined();
      const deactivated = await checkWhen(key.code, 'FILE', (c) => !c.active);
      expect(deactivated.answer).toMatchObject({ reason: 'NO_LICENSE', message: 'The license is not on the key' });

      const batch = await call(
        'GenerateCoupons',
        {
          input: {
            type: 'ADD_PRODUCT',
            distributorId,
            products: [{ productCode: 'FILE', periodDays: null, seats: 4 }],
          },
        },
        acme.apiKey,
      );
      const couponCode = batch.data!['generateCoupons'].coupons.edges[0].node.code;
      const on = await call('ActivateCouponFromApp', { input: { keyCode: key.code, couponCode } });
      expect(on.errors).toBeUndefined();
      const activated = await checkWhen(key.code, 'FILE', (c) => c.active);
      expect(activated.answer).toMatchObject({ validUntil: null, message: 'License active, perpetual' });
    });

    it('records an inactive answer too, with the reason', async () => {
      const created = await call('CreateLicenseKey', { input: { client: { company: 'No licenses' } } }, acme.apiKey);
      const code = created.data!['createLicenseKey'].code;
      const { answer } = await checkWhen(code, 'PBX', (c) => c.reason === 'NO_LICENSE');
      expect(answer).toMatchObject({ active: false, validUntil: null, message: 'The license is not on the key' });
    });
  });

  describe('AcquireLicense, Heartbeat, ReleaseLicense', () => {
    it('HOST_BINDING: binds a host, refuses another with 1051, lets the bound host in again', async () => {
      const key = await keyWith(acme, [{ productCode: 'PBX', periodDays: 365, seats: 1 }]);
      const first = await acquire(key.code, 'PBX', 'srv-1');
      expect(first.errors).toBeUndefined();
      expect(first.data!['acquireLicense']).toMatchObject({
        sessionId: expect.any(String),
        heartbeatIntervalSeconds: 60,
        token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        license: { kind: 'MAIN', product: { code: 'PBX' } },
      });
      const other = await acquire(key.code, 'PBX', 'srv-2');
      expect(other.data).toBeNull();
      expect(errorOf(other)).toMatchObject({ code: 'NO_FREE_LICENSE', licensingCode: 1051 });
      expect((await acquire(key.code, 'PBX', 'srv-1')).errors).toBeUndefined();
      const bound = await eventually(
        () => probe.events.filter((e) => e.type === 'binding.created' && e.subject === key.id),
        { what: 'binding.created' },
      );
      expect(bound.map((e) => e.data.hostFingerprint)).toEqual(['srv-1']);
    });

    it('CONCURRENT_SESSIONS: a seat per session; heartbeat extends, release frees, an ended session stays ended', async () => {
      const key = await keyWith(acme, [{ productCode: 'DESK', periodDays: 30, seats: 2 }]);
      const a = (await acquire(key.code, 'DESK', 'pc-1')).data!['acquireLicense'];
      await acquire(key.code, 'DESK', 'pc-1');
      expect(errorOf(await acquire(key.code, 'DESK', 'pc-2'))).toMatchObject({ licensingCode: 1051 });

      const beat = await call('Heartbeat', { sessionId: a.sessionId });
      expect(beat.data!['heartbeat']).toEqual({ sessionId: a.sessionId, expiresAt: expect.any(String) });
      expect(new Date(beat.data!['heartbeat'].expiresAt).getTime()).toBeGreaterThanOrEqual(
        new Date(a.expiresAt).getTime(),
      );
      expect((await call('ReleaseLicense', { sessionId: a.sessionId })).data).toEqual({ releaseLicense: true });
      expect((await acquire(key.code, 'DESK', 'pc-2')).errors).toBeUndefined();

      expect(errorOf(await call('Heartbeat', { sessionId: a.sessionId }))).toMatchObject({
        code: 'SESSION_ENDED',
        reason: 'RELEASED',
      });
      expect(errorOf(await call('ReleaseLicense', { sessionId: a.sessionId }))).toMatchObject({
        code: 'SESSION_ENDED',
      });
      const events = await eventually(
        () => {
          const mine = probe.events.filter((e) => e.data.sessionId === a.sessionId);
          return mine.length >= 2 ? mine : undefined;
        },
        { what: 'start and end of the session' },
      );
      expect(events.map((e) => [e.type, e.data.reason])).toEqual([
        ['session.started', undefined],
        ['session.ended', 'RELEASED'],
      ]);
    });

    it('CONCURRENT_HOSTS: sessions of one host share its seat', async () => {
      const key = await keyWith(acme, [{ productCode: 'FILE', periodDays: 30, seats: 1 }]);
      for (let i = 0; i < 3; i++) expect((await acquire(key.code, 'FILE', 'terminal-1')).errors).toBeUndefined();
      expect(errorOf(await acquire(key.code, 'FILE', 'terminal-2'))).toMatchObject({ licensingCode: 1051 });
    });

    it('refuses with 2008 and the reason when the key has no license of the product in force', async () => {
      const key = await keyWith(acme, [{ productCode: 'DESK', periodDays: 30, seats: 1 }]);
      expect(errorOf(await acquire(key.code, 'PBX', 'srv-1'))).toMatchObject({
        code: 'LICENSE_NOT_ON_KEY',
        licensingCode: 2008,
        reason: 'NO_LICENSE',
        field: 'input.productCode',
      });
      const live = (await acquire(key.code, 'DESK', 'pc-1')).data!['acquireLicense'];
      await call('DeactivateActivation', { id: key.activationId }, acme.apiKey);
      await checkWhen(key.code, 'DESK', (c) => !c.active);
      // The session ended with the change; its heartbeat learns why, and a new acquire gets 2008.
      expect(errorOf(await call('Heartbeat', { sessionId: live.sessionId }))).toMatchObject({
        code: 'SESSION_ENDED',
        reason: 'LICENSE_INACTIVE',
      });
      expect(errorOf(await acquire(key.code, 'DESK', 'pc-1'))).toMatchObject({
        licensingCode: 2008,
        reason: 'NO_LICENSE',
      });
      expect(errorOf(await call('Heartbeat', { sessionId: live.sessionId }))).toMatchObject({
        code: 'SESSION_ENDED',
        reason: 'LICENSE_INACTIVE',
      });
    });

    it('keeps vendors apart: a key is good only for its own vendor’s products', async () => {
      const key = await keyWith(acme, [{ productCode: 'PBX', periodDays: 30, seats: 5 }]);
      expect(errorOf(await acquire(key.code, 'ONLYG', 'srv-1'))).toMatchObject({
        code: 'NOT_FOUND',
        field: 'input.productCode',
      });
      const globexKey = (await call('CreateLicenseKey', { input: { client: { company: 'G' } } }, globex.apiKey)).data![
        'createLicenseKey'
      ].code;
      // Globex has a PBX too, but ACME's license of PBX is not on Globex's key.
      const refused = await eventually(
        async () => {
          const res = await acquire(globexKey, 'PBX', 'srv-1');
          return errorOf(res)['code'] === 'NOT_FOUND' ? undefined : res;
        },
        { what: 'globex key known' },
      );
      expect(errorOf(refused)).toMatchObject({ licensingCode: 2008, reason: 'NO_LICENSE' });
      // A vendor's token is not an application's credential.
      expect(errorOf(await acquire(key.code, 'PBX', 'srv-1', acme.apiKey))).toMatchObject({ code: 'FORBIDDEN' });
    });

    it('refuses bad input with a coded error naming the field', async () => {
      const key = await keyWith(acme, [{ productCode: 'DESK', periodDays: 30, seats: 1 }]);
      expect(errorOf(await acquire('ACME-12', 'DESK', 'pc'))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.keyCode',
      });
      expect(errorOf(await acquire('ACME-00000-00000-00000-00000', 'DESK', 'pc'))).toMatchObject({
        code: 'NOT_FOUND',
        field: 'input.keyCode',
      });
      expect(errorOf(await acquire(key.code, 'DESK', ''))).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(errorOf(await acquire(key.code, 'DESK', 'x'.repeat(300)))).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(errorOf(await call('Heartbeat', { sessionId: 'nope' }))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'sessionId',
      });
      expect(errorOf(await call('ReleaseLicense', { sessionId: randomUUID() }))).toMatchObject({ code: 'NOT_FOUND' });
      // Nothing of it took the one seat.
      expect((await acquire(key.code, 'DESK', 'pc')).errors).toBeUndefined();
    });
  });

  describe('cabinets: the key card, bindings and sessions, each caller within its scope', () => {
    let key: { id: string; code: string };
    let other: { id: string; code: string };
    let clientToken: string;
    let otherClientToken: string;
    let bindingSession: string;
    let deskSession: string;

    const card = async (code: string) => {
      const res = await call('LicenseKeyCard', { code }, acme.apiKey);
      expect(res.errors).toBeUndefined();
      return res.data!['licenseKey'];
    };
    const login = async (code: string) =>
      (await call('ClientLogin', { input: { code } })).data!['clientLogin'].token as string;

    beforeAll(async () => {
      key = await keyWith(acme, [
        { productCode: 'PBX', periodDays: 365, seats: 2 },
        { productCode: 'DESK', periodDays: 365, seats: 2 },
      ]);
      other = await keyWith(acme, [{ productCode: 'PBX', periodDays: 365, seats: 1 }]);
      bindingSession = (await acquire(key.code, 'PBX', 'srv-1')).data!['acquireLicense'].sessionId;
      deskSession = (await acquire(key.code, 'DESK', 'pc-1')).data!['acquireLicense'].sessionId;
      await acquire(other.code, 'PBX', 'srv-9');
      [clientToken, otherClientToken] = await Promise.all([login(key.code), login(other.code)]);
    });

    it('LicenseKeyCard lists the key’s host bindings and live sessions', async () => {
      const shown = await card(key.code);
      expect(shown.bindings).toEqual([
        {
          id: expect.any(String),
          createdAt: expect.any(String),
          lastSeenAt: expect.any(String),
          product: { code: 'PBX' },
          host: { fingerprint: 'srv-1', name: 'SRV-1', os: 'Windows 11', ip: '10.0.0.7' },
        },
      ]);
      expect(shown.sessions).toHaveLength(2);
      expect(shown.sessions).toEqual(
        expect.arrayContaining([
          {
            id: deskSession,
            startedAt: expect.any(String),
            lastHeartbeatAt: expect.any(String),
            expiresAt: expect.any(String),
            infobase: 'Trade',
            user: 'anna',
            product: { code: 'DESK' },
            host: { fingerprint: 'pc-1', name: 'PC-1' },
          },
        ]),
      );
    });

    it('MyLicenseKey shows the client its own bindings and sessions', async () => {
      const res = await call('MyLicenseKey', {}, clientToken);
      expect(res.errors).toBeUndefined();
      const mine = res.data!['myLicenseKey'];
      expect(mine.code).toBe(key.code);
      expect(mine.bindings.map((b: any) => b.host.fingerprint)).toEqual(['srv-1']);
      expect(mine.sessions.map((s: any) => s.host.name).sort()).toEqual(['PC-1', 'SRV-1']);
      const theirs = (await call('MyLicenseKey', {}, otherClientToken)).data!['myLicenseKey'];
      expect(theirs.bindings.map((b: any) => b.host.fingerprint)).toEqual(['srv-9']);
    });

    it('TerminateSession: the vendor only, its own keys only; the session stays ended', async () => {
      expect(errorOf(await call('TerminateSession', { id: deskSession }, globex.apiKey))).toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(errorOf(await call('TerminateSession', { id: deskSession }, clientToken))).toMatchObject({
        code: 'FORBIDDEN',
      });
      expect(errorOf(await call('TerminateSession', { id: deskSession }))).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect((await call('TerminateSession', { id: deskSession }, acme.apiKey)).data).toEqual({
        terminateSession: true,
      });
      expect(errorOf(await call('Heartbeat', { sessionId: deskSession }))).toMatchObject({
        code: 'SESSION_ENDED',
        reason: 'TERMINATED',
      });
      expect((await card(key.code)).sessions.map((s: any) => s.id)).toEqual([bindingSession]);
    });

    it('ResetBinding: the vendor or the key’s own client; the host’s session ends at its next heartbeat', async () => {
      const [binding] = (await card(key.code)).bindings;
      expect(errorOf(await call('ResetBinding', { id: binding.id }, globex.apiKey))).toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(errorOf(await call('ResetBinding', { id: binding.id }, otherClientToken))).toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(errorOf(await call('ResetBinding', { id: binding.id }))).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect((await call('ResetBinding', { id: binding.id }, clientToken)).data).toEqual({ resetBinding: true });
      expect((await card(key.code)).bindings).toEqual([]);
      expect(errorOf(await call('Heartbeat', { sessionId: bindingSession }))).toMatchObject({
        code: 'SESSION_ENDED',
        reason: 'TERMINATED',
      });
      const event = await eventually(
        () => probe.events.find((e) => e.type === 'binding.reset' && e.data.bindingId === binding.id),
        { what: 'binding.reset' },
      );
      expect(event).toMatchObject({ subject: key.id, data: { keyCode: key.code, productCode: 'PBX' } });
    });

    it('ResetBindings: every binding of a key, or of one product; other callers are refused', async () => {
      await acquire(key.code, 'PBX', 'srv-2');
      await acquire(key.code, 'PBX', 'srv-3');
      expect(errorOf(await call('ResetBindings', { keyCode: key.code }, globex.apiKey))).toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(errorOf(await call('ResetBindings', { keyCode: key.code }, otherClientToken))).toMatchObject({
        code: 'NOT_FOUND',
      });
      expect((await call('ResetBindings', { keyCode: key.code, productCode: 'DESK' }, acme.apiKey)).data).toEqual({
        resetBindings: 0,
      });
      expect((await call('ResetBindings', { keyCode: key.code, productCode: 'PBX' }, clientToken)).data).toEqual({
        resetBindings: 2,
      });
      expect((await card(other.code)).bindings).toHaveLength(1);
      expect((await call('ResetBindings', { keyCode: other.code }, acme.apiKey)).data).toEqual({ resetBindings: 1 });
      // The freed seats go to new hosts.
      expect((await acquire(other.code, 'PBX', 'srv-new')).errors).toBeUndefined();
    });
  });

  describe('license changes, idempotent acquires and heartbeat intervals (issue 9 and 10)', () => {
    const HEARTBEAT_WITH_INTERVAL =
      'mutation Heartbeat($sessionId: ID!) { heartbeat(sessionId: $sessionId) { sessionId expiresAt heartbeatIntervalSeconds } }';
    const SET_INTERVAL = `mutation SetProductHeartbeatInterval($input: SetProductHeartbeatIntervalInput!) {
      setProductHeartbeatInterval(input: $input) { product { id } heartbeatIntervalSeconds isDefault }
    }`;
    const GET_INTERVAL = `query ProductHeartbeatInterval($productId: ID!) {
      productHeartbeatInterval(productId: $productId) { heartbeatIntervalSeconds isDefault }
    }`;
    /** A document that is not in the contract (fields and operations added since). */
    const raw = (document: string, variables: Record<string, unknown>, token?: string) =>
      stack.call(document, variables, token);
    const acquireKeyed = (keyCode: string, productCode: string, fingerprint: string, idempotencyKey: string) =>
      call('AcquireLicense', { input: { keyCode, productCode, host: host(fingerprint), idempotencyKey } });
    const sessionIdOf = (res: GraphQLResponse) => res.data!['acquireLicense'].sessionId as string;
    /** The session events of one session on licensing.sessions.v1, as the probe saw them. */
    const eventsOfSession = (sessionId: string) => probe.events.filter((e) => e.data?.sessionId === sessionId);
    const endedOnce = async (sessionId: string, reason: string) => {
      const ended = await eventually(
        () => probe.events.find((e) => e.type === 'session.ended' && e.data.sessionId === sessionId),
        { what: `session.ended of ${sessionId}`, intervalMs: 20 },
      );
      expect(ended.data.reason).toBe(reason);
      return ended;
    };

    it('ends a key’s sessions at once when its license is deactivated, each announced once', async () => {
      const key = await keyWith(acme, [{ productCode: 'DESK', periodDays: 30, seats: 2 }]);
      const sessions = [
        sessionIdOf(await acquire(key.code, 'DESK', 'd-1')),
        sessionIdOf(await acquire(key.code, 'DESK', 'd-2')),
      ];
      const started = Date.now();
      expect((await call('DeactivateActivation', { id: key.activationId }, acme.apiKey)).errors).toBeUndefined();
      for (const id of sessions) await endedOnce(id, 'LICENSE_INACTIVE');
      expect(Date.now() - started).toBeLessThan(5_000);
      for (const id of sessions) {
        expect(errorOf(await call('Heartbeat', { sessionId: id }))).toMatchObject({
          code: 'SESSION_ENDED',
          reason: 'LICENSE_INACTIVE',
        });
      }
      await new Promise((r) => setTimeout(r, 300));
      for (const id of sessions)
        expect(eventsOfSession(id).map((e) => e.type)).toEqual(['session.started', 'session.ended']);
    });

    it('ends the newest sessions over the seats when an upgrade gives fewer, and a deleted key’s at once', async () => {
      const key = await keyWith(acme, [{ productCode: 'DESK', periodDays: 30, seats: 3 }]);
      const ids: string[] = [];
      for (const fp of ['u-1', 'u-2', 'u-3']) {
        ids.push(sessionIdOf(await acquire(key.code, 'DESK', fp)));
        await new Promise((r) => setTimeout(r, 5));
      }
      const upgrade = await call(
        'GenerateCoupons',
        {
          input: {
            type: 'UPGRADE',
            distributorId,
            upgradeKeyCode: key.code,
            activateImmediately: true,
            products: [{ productCode: 'DESK', periodDays: 365, seats: 1 }],
          },
        },
        acme.apiKey,
      );
      expect(upgrade.errors).toBeUndefined();
      await endedOnce(ids[2]!, 'SEATS_REDUCED');
      await endedOnce(ids[1]!, 'SEATS_REDUCED');
      expect((await raw(HEARTBEAT_WITH_INTERVAL, { sessionId: ids[0] })).errors).toBeUndefined();

      expect((await call('DeleteLicenseKey', { id: key.id }, acme.apiKey)).errors).toBeUndefined();
      await endedOnce(ids[0]!, 'KEY_DELETED');
      await new Promise((r) => setTimeout(r, 300));
      for (const id of ids) expect(eventsOfSession(id).filter((e) => e.type === 'session.ended')).toHaveLength(1);
    });

    it('puts each event type on licensing.sessions.v1 exactly once per change', async () => {
      const key = await keyWith(acme, [
        { productCode: 'PBX', periodDays: 30, seats: 1 },
        { productCode: 'DESK', periodDays: 30, seats: 1 },
      ]);
      const bound = sessionIdOf(await acquire(key.code, 'PBX', 'ev-1'));
      sessionIdOf(await acquire(key.code, 'PBX', 'ev-1')); // a bound host: no second binding
      const desk = sessionIdOf(await acquire(key.code, 'DESK', 'ev-2'));
      await call('ReleaseLicense', { sessionId: desk });
      const requestId = (await check(key.code, 'DESK')).data!['checkLicense'].requestId;
      const card = (await call('LicenseKeyCard', { code: key.code }, acme.apiKey)).data!['licenseKey'];
      await call('ResetBinding', { id: card.bindings[0].id }, acme.apiKey);
      const ofKey = () => probe.events.filter((e) => e.subject === key.id);
      await eventually(() => (ofKey().some((e) => e.type === 'binding.reset') ? true : undefined), {
        what: 'binding.reset',
      });
      await new Promise((r) => setTimeout(r, 500)); // anything doubled would have arrived by now
      const count = (type: string, pick: (e: any) => boolean = () => true) =>
        ofKey().filter((e) => e.type === type && pick(e)).length;
      expect(count('binding.created')).toBe(1);
      expect(count('binding.reset')).toBe(1);
      expect(count('session.started')).toBe(3);
      expect(count('session.ended', (e) => e.data.sessionId === desk)).toBe(1);
      expect(count('license.checked', (e) => e.data.requestId === requestId)).toBe(1);
      expect(new Set(ofKey().map((e) => e.id)).size).toBe(ofKey().length);
      expect(bound).toBeDefined();
    });

    it('sees a renewal (an upgrade to a longer term) at a following check', async () => {
      const key = await keyWith(acme, [{ productCode: 'FILE', periodDays: 10, seats: 1 }]);
      const before = (await check(key.code, 'FILE')).data!['checkLicense'];
      const upgrade = await call(
        'GenerateCoupons',
        {
          input: {
            type: 'UPGRADE',
            distributorId,
            upgradeKeyCode: key.code,
            activateImmediately: true,
            products: [{ productCode: 'FILE', periodDays: 400, seats: 2 }],
          },
        },
        acme.apiKey,
      );
      expect(upgrade.errors).toBeUndefined();
      const renewed = await checkWhen(
        key.code,
        'FILE',
        (c) => c.active && new Date(c.validUntil).getTime() > new Date(before.validUntil).getTime() + 300 * DAY,
      );
      expect(renewed.answer.message).toBe(`License active until ${dotted(renewed.answer.validUntil)}`);
    });

    it('AcquireLicense with an idempotency key: a retry gets the same session; another input is CONFLICT', async () => {
      const key = await keyWith(acme, [{ productCode: 'DESK', periodDays: 30, seats: 1 }]);
      const idem = `idem-${randomUUID()}`;
      const [first, second] = await Promise.all([
        acquireKeyed(key.code, 'DESK', 'i-1', idem),
        acquireKeyed(key.code, 'DESK', 'i-1', idem),
      ]);
      expect(first.errors).toBeUndefined();
      expect(sessionIdOf(second)).toBe(sessionIdOf(first));
      expect(errorOf(await acquireKeyed(key.code, 'DESK', 'i-2', idem))).toMatchObject({
        code: 'CONFLICT',
        field: 'input.idempotencyKey',
      });
      expect(errorOf(await acquireKeyed(key.code, 'DESK', 'i-1', 'short'))).toMatchObject({
        code: 'BAD_USER_INPUT',
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(eventsOfSession(sessionIdOf(first)).filter((e) => e.type === 'session.started')).toHaveLength(1);
    });

    it('a product’s heartbeat interval: set by its vendor only, returned on acquire and heartbeat', async () => {
      const products = (await call('Products', {}, acme.apiKey)).data!['products'] as { id: string; code: string }[];
      const file = products.find((p) => p.code === 'FILE')!;
      const key = await keyWith(acme, [{ productCode: 'FILE', periodDays: 30, seats: 2 }]);
      // Another vendor, a client and an application cannot see or change it; bad values are refused.
      const otherClient = (await call('ClientLogin', { input: { code: key.code } })).data!['clientLogin'].token;
      expect(
        errorOf(await raw(SET_INTERVAL, { input: { productId: file.id, seconds: 5 } }, globex.apiKey)),
      ).toMatchObject({ code: 'NOT_FOUND' });
      expect(errorOf(await raw(GET_INTERVAL, { productId: file.id }, globex.apiKey))).toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(
        errorOf(await raw(SET_INTERVAL, { input: { productId: file.id, seconds: 5 } }, otherClient)),
      ).toMatchObject({
        code: 'FORBIDDEN',
      });
      expect(errorOf(await raw(SET_INTERVAL, { input: { productId: file.id, seconds: 5 } }))).toMatchObject({
        code: 'UNAUTHENTICATED',
      });
      for (const seconds of [0, 4, 3601, -1]) {
        expect(errorOf(await raw(SET_INTERVAL, { input: { productId: file.id, seconds } }, acme.apiKey))).toMatchObject(
          {
            code: 'BAD_USER_INPUT',
          },
        );
      }
      expect(
        errorOf(await raw(SET_INTERVAL, { input: { productId: 'nope', seconds: 30 } }, acme.apiKey)),
      ).toMatchObject({
        code: 'BAD_USER_INPUT',
      });
      expect((await raw(GET_INTERVAL, { productId: file.id }, acme.apiKey)).data!['productHeartbeatInterval']).toEqual({
        heartbeatIntervalSeconds: 60,
        isDefault: true,
      });

      const set = await raw(SET_INTERVAL, { input: { productId: file.id, seconds: 15 } }, acme.apiKey);
      expect(set.data!['setProductHeartbeatInterval']).toEqual({
        product: { id: file.id },
        heartbeatIntervalSeconds: 15,
        isDefault: false,
      });
      try {
        const lease = (await acquire(key.code, 'FILE', 'hb-1')).data!['acquireLicense'];
        expect(lease.heartbeatIntervalSeconds).toBe(15);
        const beat = (await raw(HEARTBEAT_WITH_INTERVAL, { sessionId: lease.sessionId })).data!['heartbeat'];
        expect(beat.heartbeatIntervalSeconds).toBe(15);
        expect(new Date(beat.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(45_000);
      } finally {
        await raw(SET_INTERVAL, { input: { productId: file.id, seconds: null } }, acme.apiKey);
      }
    });

    it('refuses bad input on the application operations with a coded error, changing nothing', async () => {
      const key = await keyWith(acme, [{ productCode: 'DESK', periodDays: 30, seats: 1 }]);
      const input = (over: Record<string, unknown>) => ({
        input: { keyCode: key.code, productCode: 'DESK', host: host('bad-1'), ...over },
      });
      expect(errorOf(await call('AcquireLicense', input({ productCode: 'NOPE' })))).toMatchObject({
        code: 'NOT_FOUND',
        field: 'input.productCode',
      });
      expect(errorOf(await call('AcquireLicense', input({ productCode: 'ONLYG' })))).toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(errorOf(await call('AcquireLicense', input({ session: { infobase: 'x'.repeat(300) } })))).toMatchObject({
        code: 'BAD_USER_INPUT',
      });
      expect(
        errorOf(await call('AcquireLicense', input({ host: { ...host('bad-1'), ip: 'y'.repeat(100) } }))),
      ).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(
        (await call('AcquireLicense', { input: { keyCode: key.code, productCode: 'DESK' } })).errors?.[0],
      ).toBeDefined();
      // A released session cannot be released or heartbeat again; its seat was the only one.
      const lease = sessionIdOf(await acquire(key.code, 'DESK', 'bad-2'));
      expect((await call('ReleaseLicense', { sessionId: lease })).data).toEqual({ releaseLicense: true });
      for (const op of ['ReleaseLicense', 'Heartbeat']) {
        expect(errorOf(await call(op, { sessionId: lease }))).toMatchObject({
          code: 'SESSION_ENDED',
          reason: 'RELEASED',
        });
      }
      expect((await acquire(key.code, 'DESK', 'bad-3')).errors).toBeUndefined();
    });

    it('refuses every cabinet operation to a foreign vendor and to another key’s client, changing nothing', async () => {
      const key = await keyWith(acme, [
        { productCode: 'PBX', periodDays: 30, seats: 2 },
        { productCode: 'DESK', periodDays: 30, seats: 2 },
      ]);
      const other = await keyWith(acme, [{ productCode: 'DESK', periodDays: 30, seats: 1 }]);
      const otherClient = (await call('ClientLogin', { input: { code: other.code } })).data!['clientLogin'].token;
      await acquire(key.code, 'PBX', 'cab-1');
      const desk = sessionIdOf(await acquire(key.code, 'DESK', 'cab-2'));
      const checked = (await check(key.code, 'DESK')).data!['checkLicense'].requestId;
      const card = async () => (await call('LicenseKeyCard', { code: key.code }, acme.apiKey)).data!['licenseKey'];
      const before = await card();
      expect(before.bindings).toHaveLength(1);
      expect(before.sessions).toHaveLength(2);

      for (const token of [globex.apiKey, otherClient]) {
        const refusals = [
          await call('ResetBinding', { id: before.bindings[0].id }, token),
          await call('ResetBindings', { keyCode: key.code }, token),
          await call('ResetBindings', { keyCode: key.code, productCode: 'PBX' }, token),
          await call('TerminateSession', { id: desk }, token),
          await call('LicenseCheck', { requestId: checked }, token),
        ];
        for (const res of refusals) expect(['NOT_FOUND', 'FORBIDDEN']).toContain(errorOf(res).code);
      }
      expect(errorOf(await call('LicenseKeyCard', { code: key.code }, globex.apiKey)).code).toBe('NOT_FOUND');
      const theirs = (await call('MyLicenseKey', {}, otherClient)).data!['myLicenseKey'];
      expect(theirs.code).toBe(other.code);
      expect(theirs.bindings).toEqual([]);
      expect(theirs.sessions).toEqual([]);
      // Nothing changed: the same bindings and sessions, the session heartbeats on.
      const after = await card();
      expect(after.bindings).toEqual(before.bindings.map((b: any) => ({ ...b, lastSeenAt: expect.any(String) })));
      expect(after.sessions.map((s: any) => s.id).sort()).toEqual(before.sessions.map((s: any) => s.id).sort());
      expect((await call('Heartbeat', { sessionId: desk })).errors).toBeUndefined();
    });
  });
});
