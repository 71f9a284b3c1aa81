import { Client as PgClient } from 'pg';
import { Topics } from '@licensing/events';
import { eventually } from '@licensing/testing';
import { contractOperation, contractOperationWithout } from '../support/contract';
import { EventProbe, probeTopic } from '../support/kafka';
import { GraphQLResponse, startTestStack, TestStack } from '../support/stack';

const SESSIONS_FIELDS = ['bindings', 'sessions'];
const KEY_CARD = contractOperationWithout('LicenseKeyCard', SESSIONS_FIELDS);
const MY_KEY = contractOperationWithout('MyLicenseKey', SESSIONS_FIELDS);
const COUPON_FORMAT = /^ACMEUPD(-[0-9A-HJKMNP-TV-Z]{5}){4}$/;
const errorOf = (res: GraphQLResponse) => res.errors?.[0]?.extensions ?? {};

interface Key {
  id: string;
  code: string;
}

describe('coupons through the gateway: generation, activation from three channels, deactivation, statistics', () => {
  let stack: TestStack;
  let acme: { id: string; apiKey: string };
  let globex: { id: string; apiKey: string };
  let distributorId: string;
  let couponsDb: PgClient;
  let probe: EventProbe;

  const call = (name: string, variables: Record<string, unknown>, token?: string) =>
    stack.call(contractOperation(name), variables, token);

  /** A key of ACME (or the given vendor), once the coupons service knows it. */
  async function newKey(company: string, token = acme.apiKey): Promise<Key> {
    const res = await call('CreateLicenseKey', { input: { client: { company } } }, token);
    const key = res.data!['createLicenseKey'] as Key;
    await eventually(
      async () => (await couponsDb.query('SELECT 1 FROM known_keys WHERE key_id = $1', [key.id])).rowCount,
      { what: `coupons knows ${company}` },
    );
    return key;
  }

  async function generate(
    input: Record<string, unknown>,
    token = acme.apiKey,
  ): Promise<{ id: string; codes: string[] }> {
    const res = await call('GenerateCoupons', { input: { distributorId, comment: 'e2e', ...input } }, token);
    expect(res.errors).toBeUndefined();
    const batch = res.data!['generateCoupons'];
    return { id: batch.id, codes: batch.coupons.edges.map((e: { node: { code: string } }) => e.node.code) };
  }

  async function card(code: string): Promise<any> {
    const res = await stack.call(KEY_CARD, { code }, acme.apiKey);
    expect(res.errors).toBeUndefined();
    return res.data!['licenseKey'];
  }

  /**
   * Waits until the key card satisfies `ok`. How soon an activation reaches the card is
   * measured in `npm run bench -- coupons`, not asserted here.
   */
  async function cardWhen(code: string, ok: (card: any) => boolean, timeoutMs = 10_000): Promise<{ card: any }> {
    const found = await eventually(
      async () => {
        const c = await card(code);
        return ok(c) ? c : undefined;
      },
      { what: 'key card', timeoutMs, intervalMs: 20 },
    );
    return { card: found };
  }

  beforeAll(async () => {
    stack = await startTestStack();
    const vendor = async (prefix: string) => {
      const res = await call('CreateVendor', { input: { prefix, name: prefix } }, stack.operatorToken);
      return { id: res.data!['createVendor'].vendor.id as string, apiKey: res.data!['createVendor'].apiKey as string };
    };
    [acme, globex] = await Promise.all([vendor('ACME'), vendor('GLBX')]);
    for (const input of [
      { code: 'PBX', name: 'PBX', licenseModel: 'HOST_BINDING' },
      { code: 'BASIC', name: 'Basic edition', licenseModel: 'CONCURRENT_SESSIONS' },
      { code: 'PRO', name: 'Pro edition', licenseModel: 'CONCURRENT_SESSIONS' },
    ]) {
      await call('CreateProduct', { input }, acme.apiKey);
    }
    await call(
      'CreateProduct',
      { input: { code: 'PBX', name: 'Globex PBX', licenseModel: 'HOST_BINDING' } },
      globex.apiKey,
    );
    distributorId = (await call('CreateDistributor', { input: { name: 'Partner' } }, acme.apiKey)).data![
      'createDistributor'
    ].id;
    couponsDb = new PgClient({ connectionString: stack.subgraphs.coupons.database.url });
    await couponsDb.connect();
    await eventually(
      async () =>
        (await couponsDb.query('SELECT 1 FROM known_distributors WHERE distributor_id = $1', [distributorId])).rowCount,
      {
        what: 'coupons knows the distributor',
      },
    );
    probe = await probeTopic(`${stack.subgraphs.coupons.topicPrefix}${Topics.coupons}`);
  });

  afterAll(async () => {
    await probe?.stop();
    await couponsDb?.end();
    await stack?.close();
  });

  describe('generation', () => {
    it('generates a batch in the vendor’s format, announced by one event', async () => {
      const batch = await generate({
        type: 'ADD_PRODUCT',
        products: [{ productCode: 'PBX', periodDays: 365, seats: 5 }],
        count: 3,
      });
      expect(batch.codes).toHaveLength(3);
      for (const code of batch.codes) expect(code).toMatch(COUPON_FORMAT);
      const event = await eventually(
        () => probe.events.find((e) => e.type === 'coupon.batch-generated' && e.data.batchId === batch.id),
        { what: 'batch event' },
      );
      expect(event.data).toMatchObject({
        type: 'ADD_PRODUCT',
        count: 3,
        distributorId,
        grants: [{ productCode: 'PBX', periodDays: 365, seats: 5 }],
      });
      expect(probe.events.filter((e) => e.data.batchId === batch.id)).toHaveLength(1);
      const coupon = await call('Coupon', { code: batch.codes[0]!.toLowerCase().replace(/-/g, ' ') }, acme.apiKey);
      expect(coupon.data!['coupon']).toMatchObject({
        code: batch.codes[0],
        type: 'ADD_PRODUCT',
        status: 'NEW',
        reusable: false,
        comment: 'e2e',
        distributor: { name: 'Partner' },
        grants: [{ product: { code: 'PBX' }, periodDays: 365, seats: 5, trialDays: null }],
        activations: [],
      });
    });

    it('refuses bad input naming the field, and writes nothing', async () => {
      const before = (await call('Coupons', {}, acme.apiKey)).data!['coupons'].totalCount;
      const cases: [Record<string, unknown>, string, string][] = [
        [{ type: 'ADD_PRODUCT', products: [{ productCode: 'NOPE' }] }, 'NOT_FOUND', 'input.products[0].productCode'],
        [
          { type: 'ADD_PRODUCT', products: [{ productCode: 'PBX' }], reusable: true },
          'BAD_USER_INPUT',
          'input.reusable',
        ],
        [{ type: 'EXTEND_TRIAL', products: [{ productCode: 'PBX' }] }, 'BAD_USER_INPUT', 'input.trialDays'],
        [{ type: 'UPGRADE', products: [{ productCode: 'PRO' }] }, 'BAD_USER_INPUT', 'input.upgradeKeyCode'],
        [{ type: 'ADD_PRODUCT', products: [{ productCode: 'PBX' }], count: 0 }, 'BAD_USER_INPUT', 'input.count'],
        [{ type: 'ADD_PRODUCT', products: [] }, 'BAD_USER_INPUT', 'input.products'],
      ];
      for (const [input, code, field] of cases) {
        const res = await call('GenerateCoupons', { input }, acme.apiKey);
        expect({ input, ...errorOf(res) }).toMatchObject({ input, code, field });
      }
      const foreign = await call(
        'GenerateCoupons',
        { input: { type: 'ADD_PRODUCT', products: [{ productCode: 'PBX' }], distributorId } },
        globex.apiKey,
      );
      expect(errorOf(foreign)).toMatchObject({ code: 'NOT_FOUND', field: 'input.distributorId' });
      expect((await call('Coupons', {}, acme.apiKey)).data!['coupons'].totalCount).toBe(before);
    });

    it('lists coupons by batch, type, status and distributor, page by page', async () => {
      const batch = await generate({
        type: 'EXTEND_TRIAL',
        products: [{ productCode: 'BASIC' }],
        trialDays: 14,
        count: 5,
      });
      const first = (await call('Coupons', { filter: { batchId: batch.id }, first: 2 }, acme.apiKey)).data!['coupons'];
      expect(first.totalCount).toBe(5);
      expect(first.edges.map((e: any) => e.node.code)).toEqual(batch.codes.slice(0, 2));
      const second = (
        await call(
          'Coupons',
          { filter: { batchId: batch.id }, first: 10, after: first.pageInfo.endCursor },
          acme.apiKey,
        )
      ).data!['coupons'];
      expect(second.edges.map((e: any) => e.node.code)).toEqual(batch.codes.slice(2, 5));
      expect(second.pageInfo.hasNextPage).toBe(false);
      const byType = (
        await call('Coupons', { filter: { type: 'EXTEND_TRIAL', status: 'NEW', distributorId } }, acme.apiKey)
      ).data!['coupons'];
      expect(byType.totalCount).toBeGreaterThanOrEqual(5);
      expect(
        byType.edges.every((e: any) => e.node.type === 'EXTEND_TRIAL' && e.node.distributor.name === 'Partner'),
      ).toBe(true);
      expect(
        (await call('Coupons', { filter: { batchId: batch.id } }, globex.apiKey)).data!['coupons'].totalCount,
      ).toBe(0);
    });
  });

  describe('activation', () => {
    it('activates from the application, and the key card shows the license', async () => {
      const key = await newKey('App Co');
      const [code] = (
        await generate({ type: 'ADD_PRODUCT', products: [{ productCode: 'PBX', periodDays: 30, seats: 2 }] })
      ).codes;
      const res = await call('ActivateCouponFromApp', {
        input: { keyCode: key.code.toLowerCase(), couponCode: code!.toLowerCase() },
      });
      expect(res.errors).toBeUndefined();
      expect(res.data!['activateCoupon']).toMatchObject({
        channel: 'APPLICATION',
        grants: [{ product: { code: 'PBX' }, periodDays: 30, seats: 2, trialDays: null }],
      });
      const { card: shown } = await cardWhen(key.code, (c) => c.licenses.length > 0);
      expect(shown.licenses).toEqual([
        expect.objectContaining({
          kind: 'MAIN',
          seats: 2,
          active: true,
          source: 'COUPON',
          product: { code: 'PBX', name: 'PBX', licenseModel: 'HOST_BINDING' },
        }),
      ]);
      expect(shown.activations).toEqual([
        expect.objectContaining({ channel: 'APPLICATION', deactivatedAt: null, coupon: { code, type: 'ADD_PRODUCT' } }),
      ]);
      const event = probe.events.find((e) => e.type === 'coupon.activated' && e.data.keyId === key.id);
      expect(event?.subject).toBe(key.id);
      // The client can now log in to its cabinet with the activated coupon instead of the key.
      const login = await call('ClientLogin', { input: { code: code!.toLowerCase() } });
      expect(login.data!['clientLogin'].licenseKey).toEqual({ code: key.code });
    });

    it('activates from the client cabinet on its own key only', async () => {
      const key = await newKey('Cabinet Co');
      const other = await newKey('Other Co');
      const [code] = (
        await generate({ type: 'ADD_PRODUCT', products: [{ productCode: 'BASIC', periodDays: null, seats: 1 }] })
      ).codes;
      const token = (await call('ClientLogin', { input: { code: key.code } })).data!['clientLogin'].token as string;
      const foreign = await call('ActivateCoupon', { input: { keyCode: other.code, couponCode: code } }, token);
      expect(errorOf(foreign).code).toBe('FORBIDDEN');
      const res = await call('ActivateCoupon', { input: { keyCode: key.code, couponCode: code } }, token);
      expect(res.errors).toBeUndefined();
      expect(res.data!['activateCoupon']).toMatchObject({
        channel: 'CLIENT_CABINET',
        coupon: { code, type: 'ADD_PRODUCT' },
        licenseKey: { code: key.code },
      });
      await cardWhen(key.code, (c) => c.licenses.length > 0);
      const mine = await stack.call(MY_KEY, {}, token);
      expect(mine.errors).toBeUndefined();
      expect(mine.data!['myLicenseKey'].activations).toEqual([
        expect.objectContaining({ coupon: { code, type: 'ADD_PRODUCT' } }),
      ]);
      expect(mine.data!['myLicenseKey'].licenses).toEqual([
        expect.objectContaining({
          kind: 'MAIN',
          active: true,
          expiresAt: null,
          product: { code: 'BASIC', name: 'Basic edition' },
        }),
      ]);
    });

    it('activates from the vendor cabinet, and refuses other vendors’ coupons and keys', async () => {
      const key = await newKey('Vendor Co');
      const [code] = (
        await generate({ type: 'ADD_PRODUCT', products: [{ productCode: 'PRO', periodDays: 365, seats: 10 }] })
      ).codes;
      expect(
        errorOf(await call('ActivateCoupon', { input: { keyCode: key.code, couponCode: code } }, globex.apiKey)),
      ).toMatchObject({ licensingCode: 1003 });
      const res = await call('ActivateCoupon', { input: { keyCode: key.code, couponCode: code } }, acme.apiKey);
      expect(res.data!['activateCoupon']).toMatchObject({ channel: 'VENDOR_CABINET', licenseKey: { code: key.code } });
      const globexKey = await newKey('Globex Client', globex.apiKey);
      const [globexCoupon] = (
        await generate({ type: 'ADD_PRODUCT', products: [{ productCode: 'PBX' }], distributorId: null }, globex.apiKey)
      ).codes;
      expect(
        errorOf(await call('ActivateCoupon', { input: { keyCode: globexKey.code, couponCode: code } }, globex.apiKey)),
      ).toMatchObject({ code: 'NOT_FOUND', field: 'input.couponCode' });
      expect(
        errorOf(await call('ActivateCouponFromApp', { input: { keyCode: key.code, couponCode: globexCoupon } })),
      ).toMatchObject({ code: 'COUPON_OF_OTHER_VENDOR' });
    });

    it('refuses with coded errors and changes nothing', async () => {
      const key = await newKey('Refused Co');
      const [code] = (await generate({ type: 'ADD_PRODUCT', products: [{ productCode: 'PBX' }] })).codes;
      expect(
        errorOf(
          await call('ActivateCouponFromApp', { input: { keyCode: 'ACME-22222-22222-22222-22222', couponCode: code } }),
        ),
      ).toMatchObject({ code: 'COUPON_NEEDS_KEY', licensingCode: 1003, field: 'input.keyCode' });
      expect(errorOf(await call('ActivateCouponFromApp', { input: { keyCode: '', couponCode: code } }))).toMatchObject({
        licensingCode: 1003,
      });
      expect(
        errorOf(await call('ActivateCouponFromApp', { input: { keyCode: key.code, couponCode: 'ACMEUPD-1' } })),
      ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.couponCode' });
      expect(
        errorOf(
          await call('ActivateCouponFromApp', {
            input: { keyCode: key.code, couponCode: 'ACMEUPD-22222-22222-22222-22222' },
          }),
        ),
      ).toMatchObject({ code: 'NOT_FOUND' });

      const deleted = await newKey('Deleted Co');
      await call('DeleteLicenseKey', { id: deleted.id }, acme.apiKey);
      await eventually(
        async () =>
          (await couponsDb.query('SELECT 1 FROM known_keys WHERE key_id = $1 AND deleted_at IS NOT NULL', [deleted.id]))
            .rowCount,
        { what: 'deletion known' },
      );
      expect(
        errorOf(await call('ActivateCouponFromApp', { input: { keyCode: deleted.code, couponCode: code } })),
      ).toMatchObject({ licensingCode: 1003 });

      expect(
        (await call('ActivateCouponFromApp', { input: { keyCode: key.code, couponCode: code } })).errors,
      ).toBeUndefined();
      const second = await newKey('Second Co');
      expect(
        errorOf(await call('ActivateCouponFromApp', { input: { keyCode: second.code, couponCode: code } })),
      ).toMatchObject({ code: 'COUPON_USED', field: 'input.couponCode' });

      const upgradeFor = await newKey('Upgrade Target');
      const [upgrade] = (
        await generate({
          type: 'UPGRADE',
          upgradeKeyCode: upgradeFor.code,
          products: [{ productCode: 'PRO', periodDays: 30, seats: 1 }],
        })
      ).codes;
      expect(
        errorOf(await call('ActivateCouponFromApp', { input: { keyCode: second.code, couponCode: upgrade } })),
      ).toMatchObject({ code: 'COUPON_FOR_OTHER_KEY' });

      const [reusable] = (
        await generate({ type: 'EXTEND_TRIAL', products: [{ productCode: 'BASIC' }], trialDays: 10, reusable: true })
      ).codes;
      expect(
        (await call('ActivateCouponFromApp', { input: { keyCode: second.code, couponCode: reusable } })).errors,
      ).toBeUndefined();
      expect(
        (await call('ActivateCouponFromApp', { input: { keyCode: key.code, couponCode: reusable } })).errors,
      ).toBeUndefined();
      expect(
        errorOf(await call('ActivateCouponFromApp', { input: { keyCode: second.code, couponCode: reusable } })),
      ).toMatchObject({ code: 'COUPON_USED_BY_KEY' });

      const activations = await couponsDb.query(
        'SELECT count(*)::int AS n FROM activations a JOIN known_keys k ON k.key_id = a.key_id WHERE k.key_id = ANY($1)',
        [[second.id, deleted.id, upgradeFor.id]],
      );
      expect(activations.rows[0].n).toBe(1);
    });
  });

  describe('concurrency', () => {
    it('lets exactly one of 50 parallel activations of a single-use coupon on 50 keys through', async () => {
      const keys: Key[] = [];
      for (let i = 0; i < 50; i++) keys.push(await newKey(`Racer ${i}`));
      const [code] = (await generate({ type: 'ADD_PRODUCT', products: [{ productCode: 'PBX', periodDays: 30 }] }))
        .codes;
      const results = await Promise.all(
        keys.map((k) => call('ActivateCouponFromApp', { input: { keyCode: k.code, couponCode: code } })),
      );
      expect(results.filter((r) => !r.errors)).toHaveLength(1);
      expect(results.filter((r) => r.errors).map((r) => errorOf(r).code)).toEqual(new Array(49).fill('COUPON_USED'));
      expect(
        (await couponsDb.query('SELECT count(*)::int AS n FROM activations WHERE coupon_code = $1', [code])).rows[0].n,
      ).toBe(1);
    });

    it('lets exactly one of 20 parallel activations of a reusable coupon by one key through', async () => {
      const key = await newKey('Reusable Racer');
      const [code] = (
        await generate({ type: 'EXTEND_TRIAL', products: [{ productCode: 'PBX' }], trialDays: 20, reusable: true })
      ).codes;
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          call('ActivateCouponFromApp', { input: { keyCode: key.code, couponCode: code } }),
        ),
      );
      expect(results.filter((r) => !r.errors)).toHaveLength(1);
      expect(results.filter((r) => r.errors).map((r) => errorOf(r).code)).toEqual(
        new Array(19).fill('COUPON_USED_BY_KEY'),
      );
      const { card: shown } = await cardWhen(key.code, (c) => c.licenses.length > 0);
      expect(shown.licenses).toEqual([expect.objectContaining({ kind: 'TRIAL', active: true })]);
    });
  });

  describe('deactivation', () => {
    it('rolls back the license, keeps a single-use coupon used, and refuses a second deactivation', async () => {
      const key = await newKey('Mistake Co');
      const [code] = (await generate({ type: 'ADD_PRODUCT', products: [{ productCode: 'PBX', periodDays: 30 }] }))
        .codes;
      const activation = (await call('ActivateCoupon', { input: { keyCode: key.code, couponCode: code } }, acme.apiKey))
        .data!['activateCoupon'];
      await cardWhen(key.code, (c) => c.licenses.length === 1);
      expect(errorOf(await call('DeactivateActivation', { id: activation.id }, globex.apiKey)).code).toBe('NOT_FOUND');
      expect(errorOf(await call('DeactivateActivation', { id: 'not-a-uuid' }, acme.apiKey))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'id',
      });
      const res = await call('DeactivateActivation', { id: activation.id }, acme.apiKey);
      expect(res.data!['deactivateActivation'].deactivatedAt).toBeTruthy();
      const { card: after } = await cardWhen(key.code, (c) => c.licenses.length === 0);
      expect(after.activations[0].deactivatedAt).toBeTruthy();
      expect(errorOf(await call('DeactivateActivation', { id: activation.id }, acme.apiKey))).toMatchObject({
        code: 'CONFLICT',
      });
      expect((await call('Coupon', { code }, acme.apiKey)).data!['coupon'].status).toBe('DEACTIVATED');
      expect(
        errorOf(await call('ActivateCoupon', { input: { keyCode: key.code, couponCode: code } }, acme.apiKey)).code,
      ).toBe('COUPON_USED');
      const other = await newKey('Another Co');
      expect(
        errorOf(await call('ActivateCoupon', { input: { keyCode: other.code, couponCode: code } }, acme.apiKey)).code,
      ).toBe('COUPON_USED');
      const events = probe.events.filter((e) => e.data.activationId === activation.id).map((e) => e.type);
      await eventually(() => probe.events.filter((e) => e.data.activationId === activation.id).length === 2, {
        what: 'both events',
      });
      expect(events[0]).toBe('coupon.activated');
    });

    it('upgrades a key at generation and restores the previous product set on deactivation', async () => {
      const key = await newKey('Upgrade Co');
      const [basic] = (
        await generate({ type: 'ADD_PRODUCT', products: [{ productCode: 'BASIC', periodDays: 365, seats: 3 }] })
      ).codes;
      await call('ActivateCoupon', { input: { keyCode: key.code, couponCode: basic } }, acme.apiKey);
      await cardWhen(key.code, (c) => c.licenses.length === 1);
      const upgrade = await call(
        'GenerateCoupons',
        {
          input: {
            type: 'UPGRADE',
            upgradeKeyCode: key.code.toLowerCase(),
            products: [{ productCode: 'PRO', periodDays: 365, seats: 3 }],
            activateImmediately: true,
          },
        },
        acme.apiKey,
      );
      expect(upgrade.errors).toBeUndefined();
      expect(upgrade.data!['generateCoupons'].coupons.edges[0].node.status).toBe('ACTIVATED');
      const { card: upgraded } = await cardWhen(key.code, (c) => c.licenses.some((l: any) => l.product.code === 'PRO'));
      expect(upgraded.licenses.map((l: any) => [l.product.code, l.active])).toEqual([
        ['BASIC', false],
        ['PRO', true],
      ]);
      const activation = upgraded.activations.find((a: any) => a.coupon.type === 'UPGRADE');
      expect(activation.channel).toBe('VENDOR_CABINET');
      await call('DeactivateActivation', { id: activation.id }, acme.apiKey);
      const { card: restored } = await cardWhen(
        key.code,
        (c) => !c.licenses.some((l: any) => l.product.code === 'PRO'),
      );
      expect(restored.licenses.map((l: any) => [l.product.code, l.active, l.seats])).toEqual([['BASIC', true, 3]]);
    });
  });

  describe('statistics', () => {
    it('counts generated and activated coupons per distributor, product and type', async () => {
      const from = new Date(Date.now() - 60_000).toISOString();
      const to = new Date(Date.now() + 60_000).toISOString();
      const res = await call('CouponStatistics', { from, to }, acme.apiKey);
      expect(res.errors).toBeUndefined();
      const rows = res.data!['couponStatistics'] as {
        distributor: { name: string } | null;
        product: { code: string };
        type: string;
        generated: number;
        activated: number;
      }[];
      const pbx = rows.find(
        (r) => r.distributor?.name === 'Partner' && r.product.code === 'PBX' && r.type === 'ADD_PRODUCT',
      );
      const { rows: truth } = await couponsDb.query(
        `SELECT count(*)::int AS generated FROM coupons c JOIN coupon_batches b ON b.id = c.batch_id
          WHERE b.vendor_id = $1 AND b.distributor_id = $2 AND b.type = 'ADD_PRODUCT' AND b.grants @> '[{"productCode": "PBX"}]'`,
        [acme.id, distributorId],
      );
      expect(pbx?.generated).toBe(truth[0].generated);
      expect(pbx!.activated).toBeGreaterThanOrEqual(3);
      expect(rows.every((r) => r.generated >= 0 && r.activated >= 0)).toBe(true);
      const empty = await call(
        'CouponStatistics',
        { from: to, to: new Date(Date.now() + 120_000).toISOString() },
        acme.apiKey,
      );
      expect(empty.data!['couponStatistics']).toEqual([]);
      // A date that is not one is refused as such, not as "to must be after from".
      const garbage = await call('CouponStatistics', { from: 'garbage', to }, acme.apiKey);
      expect(errorOf(garbage)).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(garbage.errors![0]!.message).toContain('ISO 8601');
      expect(
        (await call('CouponStatistics', { from, to }, globex.apiKey)).data!['couponStatistics'].every(
          (r: any) => r.product.code === 'PBX' && r.distributor === null,
        ),
      ).toBe(true);
    });
  });

  // Last: it stops the keys service for the rest of the file.
  describe('with the keys service down', () => {
    it('answers an application activation from the coupons service alone, and a retry with its idempotency key gets the same activation', async () => {
      const key = await newKey('Keys Down Co');
      const [code, second] = (
        await generate({ type: 'ADD_PRODUCT', count: 2, products: [{ productCode: 'PBX', periodDays: 30, seats: 1 }] })
      ).codes;
      expect(await stack.subgraphs.keys.process.stop('SIGTERM')).toBe(0);

      const input = { keyCode: key.code, couponCode: code!, idempotencyKey: `retry-${key.id}` };
      const first = await call('ActivateCouponFromApp', { input });
      expect(first.errors).toBeUndefined();
      expect(first.data!['activateCoupon']).toMatchObject({
        channel: 'APPLICATION',
        grants: [{ product: { code: 'PBX' }, periodDays: 30, seats: 1 }],
      });
      const retry = await call('ActivateCouponFromApp', { input });
      expect(retry.errors).toBeUndefined();
      expect(retry.data!['activateCoupon']).toEqual(first.data!['activateCoupon']);

      // The same coupon without the key is what it always was: used.
      const plain = await call('ActivateCouponFromApp', { input: { keyCode: key.code, couponCode: code! } });
      expect(errorOf(plain)).toMatchObject({ code: 'COUPON_USED' });
      // The idempotency key with another coupon is a client's mistake, refused and not applied.
      const other = await call('ActivateCouponFromApp', { input: { ...input, couponCode: second! } });
      expect(errorOf(other)).toMatchObject({ code: 'CONFLICT', field: 'input.idempotencyKey' });
      const { rows } = await couponsDb.query('SELECT count(*)::int AS n FROM activations WHERE key_id = $1', [key.id]);
      expect(rows[0].n).toBe(1);
    });
  });
});
