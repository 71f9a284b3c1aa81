import { randomUUID } from 'node:crypto';
import { rows } from '@licensing/database';
import { generateCode } from '@licensing/domain';
import { DomainError } from '@licensing/graphql';
import { Identity } from '@licensing/identity';
import { ActivationService } from '../src/activation/activation.service';
import { GenerateCouponsInput } from '../src/generation/dto/generate-coupons.input';
import { ReadModelService } from '../src/read-model/read-model.service';
import { CouponsTestbed, Key, Vendor } from './coupons-testbed';

/** Activation and deactivation against a real database, with real concurrency; no HTTP, no Kafka. */
describe('coupon activation', () => {
  let testbed: CouponsTestbed;
  let activations: ActivationService;
  let readModel: ReadModelService;
  let acme: Vendor;
  let other: Vendor;
  let productId: string;

  const key = (owner: Vendor = acme) => testbed.key(owner);

  /** One coupon (ADD_PRODUCT of PBX unless told otherwise). */
  async function coupon(input: Partial<GenerateCouponsInput> = {}, owner: Vendor = acme): Promise<string> {
    return (await testbed.generate(owner, input)).codes[0]!;
  }

  const reusable: Partial<GenerateCouponsInput> = {
    type: 'EXTEND_TRIAL',
    reusable: true,
    trialDays: 30,
    products: [{ productCode: 'PBX' }],
  };

  const activate = (identity: Identity, k: Key, couponCode: string) =>
    activations.activate(identity, { keyCode: k.code, couponCode });

  /** What an activation may have written: its rows, its events, the coupon's status. */
  async function written(couponCode: string) {
    const [state] = await rows<{ status: string }>(testbed.dataSource, 'SELECT status FROM coupons WHERE code = $1', [
      couponCode,
    ]);
    return {
      status: state?.status,
      activations: await rows<{ id: string; key_id: string; deactivated_at: Date | null }>(
        testbed.dataSource,
        'SELECT id, key_id, deactivated_at FROM activations WHERE coupon_code = $1 ORDER BY activated_at',
        [couponCode],
      ),
      events: await rows<{ type: string; data: Record<string, unknown> }>(
        testbed.dataSource,
        `SELECT event_type AS type, payload->'data' AS data FROM outbox
          WHERE event_type LIKE 'coupon.%activated' AND payload->'data'->>'couponCode' = $1 ORDER BY created_at`,
        [couponCode],
      ),
    };
  }

  /** Runs every call at once; the code of each refusal, or 'ok'. */
  async function together(calls: (() => Promise<unknown>)[]): Promise<string[]> {
    const outcomes = await Promise.allSettled(calls.map((call) => call()));
    return outcomes.map((o) => {
      if (o.status === 'fulfilled') return 'ok';
      return o.reason instanceof DomainError ? o.reason.code : String(o.reason);
    });
  }

  const tally = (outcomes: string[]) =>
    outcomes.reduce<Record<string, number>>((t, o) => ({ ...t, [o]: (t[o] ?? 0) + 1 }), {});

  /** The code (and number) of the domain error a call is refused with. */
  async function refused(call: Promise<unknown>): Promise<{ code: string; licensingCode?: number }> {
    const error: unknown = await call.then(
      () => new Error('expected a refusal, got an answer'),
      (e: unknown) => e,
    );
    if (!(error instanceof DomainError)) throw error;
    return { code: error.code, licensingCode: error.licensingCode };
  }

  beforeAll(async () => {
    testbed = await CouponsTestbed.start('coupons_activation');
    activations = testbed.get(ActivationService);
    readModel = testbed.get(ReadModelService);
    const acmeWithProducts = await testbed.vendor('ACTA');
    acme = acmeWithProducts;
    productId = acmeWithProducts.products[0]!;
    other = await testbed.vendor('ACTB');
  });

  afterAll(async () => {
    await testbed?.close();
  });

  describe('a single-use coupon', () => {
    it('activates on exactly one of 30 keys racing for it', async () => {
      const code = await coupon();
      const keys = await Promise.all(Array.from({ length: 30 }, () => key()));

      const outcomes = await together(keys.map((k) => () => activate({ kind: 'application' }, k, code)));

      expect(tally(outcomes)).toEqual({ ok: 1, COUPON_USED: 29 });
      const winner = keys[outcomes.indexOf('ok')]!;
      const { status, activations: stored, events } = await written(code);
      expect(status).toBe('ACTIVATED');
      expect(stored.map((a) => a.key_id)).toEqual([winner.keyId]);
      expect(events).toEqual([
        {
          type: 'coupon.activated',
          data: expect.objectContaining({
            activationId: stored[0]!.id,
            couponCode: code,
            couponType: 'ADD_PRODUCT',
            keyId: winner.keyId,
            keyCode: winner.code,
            channel: 'APPLICATION',
            grants: [{ productId, productCode: 'PBX', periodDays: 365, seats: 2, trialDays: null }],
          }),
        },
      ]);
    });

    it('answers the activation with its grants, and the channel of the caller', async () => {
      const code = await coupon();
      const k = await key();
      const activation = await activate(acme.identity, k, code);
      expect(activation).toEqual(
        expect.objectContaining({
          channel: 'VENDOR_CABINET',
          licenseKey: { id: k.keyId },
          deactivatedAt: null,
          grants: [{ product: { id: productId, code: 'PBX' }, periodDays: 365, seats: 2, trialDays: null }],
        }),
      );
      expect(activation.activatedAt).toBeInstanceOf(Date);
      expect((await activations.findByKey(acme.identity, k.keyId)).map((a) => a.id)).toEqual([activation.id]);
      expect((await activations.findCoupon(activation)).status).toBe('ACTIVATED');
    });
  });

  describe('a reusable coupon', () => {
    it('activates once for a key that tries it 15 times at once, and on every other key', async () => {
      const code = await coupon(reusable);
      const k = await key();

      const outcomes = await together(
        Array.from({ length: 15 }, () => () => activate({ kind: 'application' }, k, code)),
      );

      expect(tally(outcomes)).toEqual({ ok: 1, COUPON_USED_BY_KEY: 14 });
      const others = await Promise.all(Array.from({ length: 5 }, () => key()));
      expect(await together(others.map((o) => () => activate({ kind: 'application' }, o, code)))).toEqual(
        Array(5).fill('ok'),
      );
      const { status, activations: stored, events } = await written(code);
      expect(status).toBe('ACTIVATED');
      expect(stored).toHaveLength(6);
      expect(events.map((e) => [e.type, e.data['keyId']])).toEqual(
        expect.arrayContaining([k, ...others].map((o) => ['coupon.activated', o.keyId])),
      );
      expect(events).toHaveLength(6);
    });
  });

  describe('refusals write nothing', () => {
    it('COUPON_USED: a single-use coupon activated before, on any key', async () => {
      const code = await coupon();
      await activate({ kind: 'application' }, await key(), code);
      const before = await written(code);
      expect(await refused(activate({ kind: 'application' }, await key(), code))).toEqual({
        code: 'COUPON_USED',
        licensingCode: undefined,
      });
      expect(await written(code)).toEqual(before);
    });

    it('COUPON_USED_BY_KEY: a reusable coupon this key activated before', async () => {
      const code = await coupon(reusable);
      const k = await key();
      await activate({ kind: 'application' }, k, code);
      const before = await written(code);
      expect((await refused(activate({ kind: 'application' }, k, code))).code).toBe('COUPON_USED_BY_KEY');
      expect(await written(code)).toEqual(before);
    });

    it('COUPON_FOR_OTHER_KEY: an upgrade coupon generated for another key', async () => {
      const target = await key();
      const code = await coupon({ type: 'UPGRADE', upgradeKeyCode: target.code });
      expect((await refused(activate({ kind: 'application' }, await key(), code))).code).toBe('COUPON_FOR_OTHER_KEY');
      expect(await written(code)).toEqual({ status: 'NEW', activations: [], events: [] });
      await activate({ kind: 'application' }, target, code);
      expect((await written(code)).activations.map((a) => a.key_id)).toEqual([target.keyId]);
    });

    it('COUPON_OF_OTHER_VENDOR: a coupon of one vendor on a key of another', async () => {
      const code = await coupon();
      expect((await refused(activate({ kind: 'application' }, await key(other), code))).code).toBe(
        'COUPON_OF_OTHER_VENDOR',
      );
      expect(await written(code)).toEqual({ status: 'NEW', activations: [], events: [] });
    });

    it('NOT_FOUND: another vendor’s coupon from the vendor cabinet', async () => {
      const code = await coupon({}, other);
      expect((await refused(activate(acme.identity, await key(), code))).code).toBe('NOT_FOUND');
      expect(await written(code)).toEqual({ status: 'NEW', activations: [], events: [] });
    });

    it('1003: a key the coupons service does not know, or knows as deleted', async () => {
      const code = await coupon();
      const unknown = { keyId: randomUUID(), vendorId: acme.id, code: generateCode('key', acme.prefix) };
      const deleted = await key();
      await testbed.dataSource.transaction((m) => readModel.deleteKey(m, deleted, new Date()));
      for (const k of [unknown, deleted]) {
        expect(await refused(activate({ kind: 'application' }, k, code))).toEqual({
          code: 'COUPON_NEEDS_KEY',
          licensingCode: 1003,
        });
      }
      expect(await written(code)).toEqual({ status: 'NEW', activations: [], events: [] });
    });
  });

  describe('deactivation', () => {
    it('marks the activation, keeps a single-use coupon used, and tells the keys service once', async () => {
      const code = await coupon();
      const k = await key();
      const activation = await activate({ kind: 'application' }, k, code);

      const deactivated = await activations.deactivate(acme.id, activation.id);

      expect(deactivated.deactivatedAt).toBeInstanceOf(Date);
      const after = await written(code);
      expect(after.status).toBe('DEACTIVATED');
      expect(after.activations).toEqual([
        expect.objectContaining({ id: activation.id, deactivated_at: expect.any(Date) }),
      ]);
      expect(after.events.map((e) => e.type)).toEqual(['coupon.activated', 'coupon.deactivated']);
      expect(after.events[1]!.data).toEqual(
        expect.objectContaining({
          activationId: activation.id,
          couponType: 'ADD_PRODUCT',
          keyId: k.keyId,
          keyCode: k.code,
        }),
      );

      expect((await refused(activations.deactivate(acme.id, activation.id))).code).toBe('CONFLICT');
      expect((await refused(activations.deactivate(other.id, activation.id))).code).toBe('NOT_FOUND');
      expect((await refused(activations.deactivate(acme.id, randomUUID()))).code).toBe('NOT_FOUND');
      expect(await written(code)).toEqual(after);
      expect((await refused(activate({ kind: 'application' }, await key(), code))).code).toBe('COUPON_USED');
    });

    it('leaves a reusable coupon usable by other keys, and not again by the same one', async () => {
      const code = await coupon(reusable);
      const k = await key();
      const activation = await activate({ kind: 'application' }, k, code);
      await activations.deactivate(acme.id, activation.id);
      expect((await written(code)).status).toBe('ACTIVATED');
      expect((await refused(activate({ kind: 'application' }, k, code))).code).toBe('COUPON_USED_BY_KEY');
      await activate({ kind: 'application' }, await key(), code);
    });
  });

  it('activates an upgrade coupon in the transaction that generates it', async () => {
    const target = await key();
    const code = await coupon({
      type: 'UPGRADE',
      upgradeKeyCode: target.code.toLowerCase(),
      activateImmediately: true,
      products: [{ productCode: 'PBX', periodDays: 30 }],
    });
    const { status, activations: stored, events } = await written(code);
    expect(status).toBe('ACTIVATED');
    expect(stored.map((a) => a.key_id)).toEqual([target.keyId]);
    expect(events).toEqual([
      { type: 'coupon.activated', data: expect.objectContaining({ channel: 'VENDOR_CABINET', couponType: 'UPGRADE' }) },
    ]);
  });
});
