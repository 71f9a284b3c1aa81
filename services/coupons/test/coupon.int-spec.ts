import { randomUUID } from 'node:crypto';
import { ActivationService } from '../src/activation/activation.service';
import { CouponService } from '../src/coupon/coupon.service';
import { ReadModelService } from '../src/read-model/read-model.service';
import { CouponsTestbed, Vendor } from './coupons-testbed';

/** The vendor's coupon lists, lookups and statistics against a real database. */
describe('coupons', () => {
  let testbed: CouponsTestbed;
  let coupons: CouponService;
  let vendor: Vendor & { products: string[] };
  let stranger: Vendor;
  let distributorId: string;
  let batches: Record<'sold' | 'trial' | 'bundle', { id: string; codes: string[] }>;
  let activationId: string;

  beforeAll(async () => {
    testbed = await CouponsTestbed.start('coupons_lists');
    coupons = testbed.get(CouponService);
    vendor = await testbed.vendor('LIST', ['PBX', 'CRM']);
    stranger = await testbed.vendor('STRA');
    distributorId = randomUUID();
    await testbed.dataSource.transaction((m) =>
      testbed.get(ReadModelService).saveDistributor(m, { distributorId, vendorId: vendor.id, name: 'Reseller' }),
    );
    batches = {
      sold: await testbed.generate(vendor, { count: 5, distributorId }),
      trial: await testbed.generate(vendor, {
        type: 'EXTEND_TRIAL',
        count: 3,
        trialDays: 14,
        products: [{ productCode: 'PBX' }],
      }),
      bundle: await testbed.generate(vendor, {
        count: 2,
        products: [{ productCode: 'PBX' }, { productCode: 'CRM', periodDays: 30 }],
      }),
    };
    const key = await testbed.key(vendor);
    ({ id: activationId } = await testbed
      .get(ActivationService)
      .activate(vendor.identity, { keyCode: key.code, couponCode: batches.sold.codes[1]! }));
  });

  afterAll(async () => {
    await testbed?.close();
  });

  it('pages through the vendor’s coupons in the order they were generated', async () => {
    const all = [...batches.sold.codes, ...batches.trial.codes, ...batches.bundle.codes];
    const seen: string[] = [];
    let after: string | null = null;
    for (const expected of [4, 4, 2]) {
      const page = await coupons.findPage(vendor.id, undefined, 4, after);
      expect(page.totalCount).toBe(10);
      expect(page.edges).toHaveLength(expected);
      expect(page.pageInfo.hasNextPage).toBe(expected === 4);
      seen.push(...page.edges.map((e) => e.node.code));
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
    expect((await coupons.findPage(stranger.id, undefined)).totalCount).toBe(0);
  });

  it('filters by batch, type, status and distributor, counting what the filter keeps', async () => {
    const count = async (filter: Parameters<CouponService['findPage']>[1]) => {
      const page = await coupons.findPage(vendor.id, filter, 500);
      expect(page.edges).toHaveLength(page.totalCount);
      return page.totalCount;
    };
    expect(await count({ batchId: batches.sold.id })).toBe(5);
    expect(await count({ type: 'EXTEND_TRIAL' })).toBe(3);
    expect(await count({ distributorId })).toBe(5);
    expect(await count({ status: 'ACTIVATED' })).toBe(1);
    expect(await count({ type: 'ADD_PRODUCT', status: 'NEW' })).toBe(6);
    expect(await count({ type: 'ADD_PRODUCT', distributorId, status: 'NEW' })).toBe(4);
    expect(await count({ type: 'EXTEND_TRIAL', distributorId })).toBe(0);
    expect((await coupons.findPage(stranger.id, { batchId: batches.sold.id })).totalCount).toBe(0);
  });

  it('shows a coupon with its batch’s terms, found as typed and only by its vendor', async () => {
    const code = batches.bundle.codes[0]!;
    const coupon = await coupons.findByCode(vendor.id, ` ${code.toLowerCase().replace(/-/g, '')} `);
    expect(coupon).toEqual(
      expect.objectContaining({
        code,
        type: 'ADD_PRODUCT',
        status: 'NEW',
        reusable: false,
        batchId: batches.bundle.id,
        distributor: null,
        grants: [
          { product: { id: vendor.products[0], code: 'PBX' }, periodDays: null, seats: 1, trialDays: null },
          { product: { id: vendor.products[1], code: 'CRM' }, periodDays: 30, seats: 1, trialDays: null },
        ],
      }),
    );
    await expect(coupons.findByCode(stranger.id, code)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(coupons.findByCode(vendor.id, 'not a coupon')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await coupons.findBatchById(vendor.id, batches.sold.id)).toEqual(
      expect.objectContaining({ count: 5, type: 'ADD_PRODUCT', distributor: { id: distributorId } }),
    );
    expect(await coupons.findBatchById(stranger.id, batches.sold.id)).toBeNull();
  });

  it('counts generated and live activated coupons per distributor, product and type', async () => {
    const [pbx, crm] = vendor.products;
    const period = [new Date(Date.now() - 60_000), new Date(Date.now() + 60_000)] as const;
    const codeOf = (product: string) => (product === pbx ? 'PBX' : 'CRM');
    const row = (distributor: string | null, product: string, type: string, generated: number, activated: number) => ({
      distributor: distributor ? { id: distributor } : null,
      product: { id: product, code: codeOf(product) },
      type,
      generated,
      activated,
    });
    const statistics = await coupons.statistics(vendor.id, ...period);
    expect(statistics).toHaveLength(4);
    expect(statistics).toEqual(
      expect.arrayContaining([
        row(distributorId, pbx!, 'ADD_PRODUCT', 5, 1),
        row(null, pbx!, 'EXTEND_TRIAL', 3, 0),
        row(null, pbx!, 'ADD_PRODUCT', 2, 0),
        row(null, crm!, 'ADD_PRODUCT', 2, 0),
      ]),
    );
    expect(await coupons.statistics(vendor.id, period[1], new Date(Date.now() + 120_000))).toEqual([]);
    await expect(coupons.statistics(vendor.id, period[1], period[0])).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });

    await testbed.get(ActivationService).deactivate(vendor.id, activationId);
    expect(await coupons.statistics(vendor.id, ...period)).toEqual(
      expect.arrayContaining([row(distributorId, pbx!, 'ADD_PRODUCT', 5, 0)]),
    );
  });
});
