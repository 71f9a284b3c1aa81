import { DataSource } from 'typeorm';
import { row, rows } from '@licensing/database';
import { KeyData } from '@licensing/events';
import { TestDatabase } from '@licensing/testing';
import { ClientInput } from '../src/license-key/dto/license-key.inputs';
import { LicenseKey } from '../src/license-key/license-key.entity';
import { LicenseKeyModule } from '../src/license-key/license-key.module';
import { LicenseKeyService } from '../src/license-key/license-key.service';
import { VendorService } from '../src/vendor/vendor.service';
import { compileFeatures, migratedDatabase, outboxEvents } from './support';

interface ClientRow {
  id: string;
  company: string;
  contactName: string | null;
  phone: string | null;
  email: string | null;
}

/**
 * The key card's client edits (LicenseKeyService.update) against a real database: which
 * client a key ends up with, what becomes of the one it had, and what key.updated says.
 * Inputs are given as the validation pipe leaves them (trimmed, e-mails lower case).
 */
describe('key re-binding', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let keys: LicenseKeyService;
  let vendors: VendorService;
  let vendorCount = 0;

  beforeAll(async () => {
    ({ db, dataSource } = await migratedDatabase('keys_rebinding'));
    const compiled = await compileFeatures(dataSource, [LicenseKeyModule]);
    close = compiled.close;
    keys = compiled.moduleRef.get(LicenseKeyService);
    vendors = compiled.moduleRef.get(VendorService);
  });

  afterAll(async () => {
    await close?.();
    await dataSource?.destroy();
    await db?.drop();
  });

  async function newVendor(): Promise<string> {
    vendorCount += 1;
    const prefix = `RB${String.fromCharCode(65 + Math.floor(vendorCount / 26), 65 + (vendorCount % 26))}`;
    return (await vendors.create({ prefix, name: `Rebinding ${prefix}` })).vendor.id;
  }

  const issue = (vendorId: string, client: ClientInput) => keys.create(vendorId, { client });

  const clientOf = async (key: LicenseKey): Promise<ClientRow> =>
    (await row<ClientRow>(
      dataSource,
      `SELECT c.id, c.company, c.contact_name AS "contactName", c.phone, c.email
         FROM license_keys k JOIN clients c ON c.id = k.client_id WHERE k.id = $1`,
      [key.id],
    ))!;

  const clients = (vendorId: string) =>
    rows<{ company: string; keys: number }>(
      dataSource,
      `SELECT c.company, count(k.id)::int AS keys FROM clients c LEFT JOIN license_keys k ON k.client_id = c.id
        WHERE c.vendor_id = $1 GROUP BY c.id ORDER BY c.company`,
      [vendorId],
    );

  const updates = (key: LicenseKey) => outboxEvents<KeyData>(dataSource, { types: ['key.updated'], subject: key.id });

  it('renames the client when the key is its only key', async () => {
    const vendorId = await newVendor();
    const key = await issue(vendorId, { company: 'Roga LLC', contactName: 'Ivan', email: 'ivan@roga.test' });
    const before = await clientOf(key);

    await keys.update(vendorId, key.id, { company: 'Roga & Co' });

    expect(await clientOf(key)).toEqual({ ...before, company: 'Roga & Co' });
    expect(await clients(vendorId)).toEqual([{ company: 'Roga & Co', keys: 1 }]);
    expect((await updates(key)).map((e) => e.data)).toEqual([
      expect.objectContaining({ keyId: key.id, clientId: before.id, company: 'Roga & Co', contactName: 'Ivan' }),
    ]);
  });

  it('re-binds the key to the vendor’s client of that name, ignoring case; the old client stays, without keys', async () => {
    const vendorId = await newVendor();
    const horns = await issue(vendorId, { company: 'Horns Ltd', email: 'it@horns.test' });
    const roga = await issue(vendorId, { company: 'Roga LLC', contactName: 'Ivan' });
    const hornsClient = await clientOf(horns);

    await keys.update(vendorId, roga.id, { company: 'horns ltd' });

    expect(await clientOf(roga)).toEqual(hornsClient);
    expect(await clients(vendorId)).toEqual([
      { company: 'Horns Ltd', keys: 2 },
      { company: 'Roga LLC', keys: 0 },
    ]);
    expect((await updates(roga)).map((e) => e.data)).toEqual([
      expect.objectContaining({ clientId: hornsClient.id, company: 'Horns Ltd', email: 'it@horns.test' }),
    ]);
    expect(await updates(horns)).toEqual([]);
    // The search text follows the client.
    const found = await keys.search(vendorId, { search: 'horns' });
    expect(found.edges.map((e) => e.node.id).sort()).toEqual([horns.id, roga.id].sort());
  });

  it('gives the key a client of its own, with the same contacts, when its client has other keys', async () => {
    const vendorId = await newVendor();
    const first = await issue(vendorId, {
      company: 'Shared Co',
      contactName: 'Olga',
      phone: '+1 555',
      email: 'o@shared.test',
    });
    const second = await issue(vendorId, { company: 'Elsewhere' });
    await keys.update(vendorId, second.id, { company: 'Shared Co' });
    const shared = await clientOf(first);

    await keys.update(vendorId, second.id, { company: 'Split Co' });

    const split = await clientOf(second);
    expect(split).toEqual({ ...shared, id: expect.any(String), company: 'Split Co' });
    expect(split.id).not.toBe(shared.id);
    expect(await clientOf(first)).toEqual(shared);
    expect((await updates(second)).map((e) => [e.data.clientId, e.data.company])).toEqual([
      [shared.id, 'Shared Co'],
      [split.id, 'Split Co'],
    ]);
  });

  it('applies a contact change to the client and announces every key of that client', async () => {
    const vendorId = await newVendor();
    const first = await issue(vendorId, { company: 'Family Co', contactName: 'Anna' });
    const second = await issue(vendorId, { company: 'Other Co' });
    const family = await clientOf(first);
    await keys.update(vendorId, second.id, { clientId: family.id });
    expect(await clientOf(second)).toEqual(family);

    await keys.update(vendorId, first.id, { contactName: 'Petr', email: 'petr@family.test' });

    expect(await clientOf(second)).toEqual({ ...family, contactName: 'Petr', email: 'petr@family.test' });
    for (const key of [first, second]) {
      expect((await updates(key)).at(-1)?.data).toEqual(
        expect.objectContaining({ keyId: key.id, clientId: family.id, contactName: 'Petr', email: 'petr@family.test' }),
      );
    }
  });

  it('re-binds only to a client of the caller’s vendor', async () => {
    const vendorId = await newVendor();
    const otherVendorId = await newVendor();
    const key = await issue(vendorId, { company: 'Mine Co' });
    const foreign = await clientOf(await issue(otherVendorId, { company: 'Theirs Co' }));
    const before = await clientOf(key);

    await expect(keys.update(vendorId, key.id, { clientId: foreign.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      field: 'input.clientId',
    });
    await keys.update(vendorId, key.id, { company: 'Theirs Co' });
    expect((await clientOf(key)).id).toBe(before.id);
    expect(await clients(otherVendorId)).toEqual([{ company: 'Theirs Co', keys: 1 }]);
  });
});
