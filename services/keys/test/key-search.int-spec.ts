import { DataSource } from 'typeorm';
import { TestDatabase } from '@licensing/testing';
import { LicenseKey } from '../src/license-key/license-key.entity';
import { LicenseKeyModule } from '../src/license-key/license-key.module';
import { LicenseKeyService } from '../src/license-key/license-key.service';
import { VendorService } from '../src/vendor/vendor.service';
import { compileFeatures, migratedDatabase, testConfig } from './support';

const LIMIT = 5;

/**
 * The key list (LicenseKeyService.search) against a real database, with the count limit set
 * to 5: totalCount is exact up to the limit and flagged past it, while the pages still hold
 * every matching key of the caller's vendor, newest first, and no other vendor's.
 */
describe('key search', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let keys: LicenseKeyService;
  let acme: { id: string; prefix: string };
  let other: { id: string; prefix: string };
  /** Acme's keys, oldest first: 7 of "Widget Works", 3 of "Gadget Co". */
  const widgets: LicenseKey[] = [];
  const gadgets: LicenseKey[] = [];
  /** The other vendor's keys, with the same companies and e-mails. */
  const foreign: LicenseKey[] = [];

  beforeAll(async () => {
    ({ db, dataSource } = await migratedDatabase('keys_search'));
    const compiled = await compileFeatures(
      dataSource,
      [LicenseKeyModule],
      testConfig({ KEY_SEARCH_COUNT_LIMIT: String(LIMIT) }),
    );
    close = compiled.close;
    keys = compiled.moduleRef.get(LicenseKeyService);
    const vendors = compiled.moduleRef.get(VendorService);
    acme = { id: (await vendors.create({ prefix: 'SRCA', name: 'Search A' })).vendor.id, prefix: 'SRCA' };
    other = { id: (await vendors.create({ prefix: 'SRCB', name: 'Search B' })).vendor.id, prefix: 'SRCB' };
    for (let i = 1; i <= 7; i++)
      widgets.push(
        await keys.create(acme.id, { client: { company: `Widget Works ${i}`, email: `buyer${i}@widget.test` } }),
      );
    for (let i = 1; i <= 3; i++)
      gadgets.push(
        await keys.create(acme.id, { client: { company: `Gadget Co ${i}`, email: `buyer${i}@gadget.test` } }),
      );
    for (let i = 1; i <= 6; i++)
      foreign.push(
        await keys.create(other.id, { client: { company: `Widget Works ${i}`, email: `buyer${i}@widget.test` } }),
      );
  });

  afterAll(async () => {
    await close?.();
    await dataSource?.destroy();
    await db?.drop();
  });

  const ids = (found: { edges: { node: LicenseKey }[] }) => found.edges.map((e) => e.node.id);
  const newestFirst = (list: LicenseKey[]) => [...list].reverse().map((k) => k.id);

  /** Every page of a search, `size` keys at a time; each page's count must be the first page's. */
  async function everyPage(vendorId: string, search: string | undefined, size: number) {
    const filter = search ? { search } : undefined;
    const first = await keys.search(vendorId, filter, size);
    const found = ids(first);
    let page = first;
    while (page.pageInfo.hasNextPage) {
      page = await keys.search(vendorId, filter, size, page.pageInfo.endCursor);
      expect([page.totalCount, page.totalCountIsExact]).toEqual([first.totalCount, first.totalCountIsExact]);
      found.push(...ids(page));
    }
    return { first, found };
  }

  it('counts exactly up to the limit, the limit itself included', async () => {
    const three = await keys.search(acme.id, { search: 'gadget co' });
    expect(three).toMatchObject({ totalCount: 3, totalCountIsExact: true });
    expect(ids(three)).toEqual(newestFirst(gadgets));
    const one = await keys.search(acme.id, { search: 'buyer4@widget' });
    expect(one).toMatchObject({ totalCount: 1, totalCountIsExact: true });
    expect(ids(one)).toEqual([widgets[3]!.id]);

    const each = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((i) => keys.search(acme.id, { search: `works ${i}` })));
    expect(each.map((r) => ids(r))).toEqual(widgets.map((k) => [k.id]));
    expect(each.every((r) => r.totalCount === 1 && r.totalCountIsExact)).toBe(true);

    const exactlyFive = await keys.search(other.id, { search: 'widget' }, 2);
    // The other vendor has 6 "Widget Works" keys, one past the limit; after a deletion, 5.
    expect(exactlyFive).toMatchObject({ totalCount: LIMIT, totalCountIsExact: false });
    await keys.delete(other.id, foreign[5]!.id);
    expect(await keys.search(other.id, { search: 'widget' }, 2)).toMatchObject({
      totalCount: LIMIT,
      totalCountIsExact: true,
    });
    foreign.pop();
  });

  it('flags a count past the limit and still pages through every match, newest first', async () => {
    const { first, found } = await everyPage(acme.id, 'widget works', 3);
    expect(first).toMatchObject({ totalCount: LIMIT, totalCountIsExact: false });
    expect(first.edges).toHaveLength(3);
    expect(found).toEqual(newestFirst(widgets));

    const all = await everyPage(acme.id, undefined, 4);
    expect(all.first).toMatchObject({ totalCount: LIMIT, totalCountIsExact: false });
    expect(all.found).toEqual(newestFirst([...widgets, ...gadgets]));
  });

  it('keeps the count exact when a filter narrows the matches under the limit', async () => {
    const distributorless = await keys.search(acme.id, { search: 'widget works 7' });
    expect(distributorless).toMatchObject({ totalCount: 1, totalCountIsExact: true });
    expect(ids(distributorless)).toEqual([widgets[6]!.id]);
    const none = await keys.search(acme.id, { search: 'nothing like it' });
    expect(none).toMatchObject({ totalCount: 0, totalCountIsExact: true, edges: [] });
    const unknownProduct = await keys.search(acme.id, { productCode: 'NOPE' });
    expect(unknownProduct).toMatchObject({ totalCount: 0, totalCountIsExact: true });
  });

  it('finds a key by the start of its code, with or without the prefix and dashes, and only the vendor’s own', async () => {
    const key = widgets[2]!;
    const body = key.code.slice(key.code.indexOf('-') + 1);
    for (const term of [
      key.code.slice(0, 11),
      key.code.slice(0, 11).toLowerCase(),
      body.slice(0, 8),
      body.replace(/-/g, '').slice(0, 9),
    ]) {
      const found = await keys.search(acme.id, { search: term });
      expect(ids(found)).toContain(key.id);
      expect(found.totalCountIsExact).toBe(true);
    }
    // The same terms from the other vendor find nothing of Acme's.
    const theirs = await keys.search(other.id, { search: body.replace(/-/g, '').slice(0, 12) });
    expect(theirs).toMatchObject({ totalCount: 0, totalCountIsExact: true, edges: [] });
  });

  it('never shows or counts another vendor’s keys, whatever the term', async () => {
    const foreignIds = new Set(foreign.map((k) => k.id));
    for (const search of ['widget', 'buyer1@widget.test', 'works 3', undefined]) {
      const { found } = await everyPage(acme.id, search, 2);
      expect(found.filter((id) => foreignIds.has(id))).toEqual([]);
    }
    const { found } = await everyPage(other.id, 'widget', 2);
    expect(found).toEqual(newestFirst(foreign));
    expect(found.filter((id) => !foreignIds.has(id))).toEqual([]);
    const byForeignCode = await keys.search(acme.id, { search: foreign[1]!.code.slice(5, 16) });
    expect(byForeignCode).toMatchObject({ totalCount: 0, totalCountIsExact: true });
  });
});
