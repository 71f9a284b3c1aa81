import { Client as PgClient } from 'pg';
import { Topics } from '@licensing/events';
import { IDENTITY_HEADER, signIdentityHeader } from '@licensing/identity';
import { eventually } from '@licensing/testing';
import { contractOperation, contractOperationWithout } from '../support/contract';
import { EventProbe, probeTopic } from '../support/kafka';
import { GraphQLResponse, postGraphQL, startTestStack, TestStack } from '../support/stack';

/** The key card and the client cabinet without the fields of services still to come. */
const NOT_YET = ['activations', 'bindings', 'sessions'];
const KEY_CARD = contractOperationWithout('LicenseKeyCard', NOT_YET);
const MY_KEY = contractOperationWithout('MyLicenseKey', NOT_YET);
const KEY_FORMAT = /^ACME(-[0-9A-HJKMNP-TV-Z]{5}){4}$/;

const errorOf = (res: GraphQLResponse) => res.errors?.[0]?.extensions ?? {};

describe('keys service through the gateway: staff, distributors, license keys, client cabinet', () => {
  let stack: TestStack;
  let acme: { id: string; apiKey: string };
  let globex: { id: string; apiKey: string };
  let probe: EventProbe;

  const operation = (name: string) => (name === 'LicenseKeyCard' ? KEY_CARD : contractOperation(name));
  const call = <T = Record<string, any>>(
    name: string,
    variables: Record<string, unknown>,
    token?: string,
    headers?: Record<string, string>,
  ) => stack.call<T>(operation(name), variables, token, headers);

  /** A second gateway that trusts this process as its proxy (TRUST_PROXY), so a test picks its client address. */
  let proxied: { url: string };
  const callFrom = (address: string, name: string, variables: Record<string, unknown>, token?: string) =>
    postGraphQL<Record<string, any>>(proxied.url, { query: operation(name), variables }, token, {
      'x-forwarded-for': address,
    });

  async function createKey(token: string, client: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const res = await call('CreateLicenseKey', { input: { client, ...extra } }, token);
    expect(res.errors).toBeUndefined();
    return res.data!['createLicenseKey'] as { id: string; code: string; client: Record<string, string> };
  }

  beforeAll(async () => {
    stack = await startTestStack();
    proxied = await stack.extraGateway({ TRUST_PROXY: '127.0.0.1' });
    const create = async (prefix: string, name: string) => {
      const res = await call('CreateVendor', { input: { prefix, name } }, stack.operatorToken);
      return { id: res.data!['createVendor'].vendor.id as string, apiKey: res.data!['createVendor'].apiKey as string };
    };
    [acme, globex] = await Promise.all([create('ACME', 'Acme Software'), create('GLBX', 'Globex')]);
    probe = await probeTopic(`${stack.subgraphs.keys.topicPrefix}${Topics.keys}`);
  });

  afterAll(async () => {
    await probe?.stop();
    await stack?.close();
  });

  describe('staff', () => {
    let ownerToken: string;

    it('lets the API key create an owner, who logs in and creates a manager', async () => {
      const owner = await call(
        'CreateStaff',
        { input: { email: ' Owner@Acme.test ', name: 'Olga Owner', role: 'OWNER', password: 'correct horse battery' } },
        acme.apiKey,
      );
      expect(owner.errors).toBeUndefined();
      expect(owner.data!['createStaff']).toMatchObject({ email: 'owner@acme.test', role: 'OWNER' });

      const login = await call('Login', { input: { email: 'OWNER@acme.test', password: 'correct horse battery' } });
      expect(login.errors).toBeUndefined();
      expect(login.data!['login'].staff).toMatchObject({
        email: 'owner@acme.test',
        role: 'OWNER',
        vendor: { prefix: 'ACME' },
      });
      expect(new Date(login.data!['login'].expiresAt).getTime()).toBeGreaterThan(Date.now());
      ownerToken = login.data!['login'].token;

      const manager = await call(
        'CreateStaff',
        {
          input: { email: 'manager@acme.test', name: 'Max Manager', role: 'MANAGER', password: 'another long secret' },
        },
        ownerToken,
      );
      expect(manager.errors).toBeUndefined();
      const products = await call('Products', {}, ownerToken);
      expect(products.errors).toBeUndefined();
    });

    it('stores only an argon2id hash of the password', async () => {
      const db = new PgClient({ connectionString: stack.subgraphs.keys.database.url });
      await db.connect();
      try {
        const rows = await db.query<{ password_hash: string }>(
          `SELECT password_hash FROM staff WHERE email = 'owner@acme.test'`,
        );
        expect(rows.rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
        expect(rows.rows[0]!.password_hash).not.toContain('correct horse');
      } finally {
        await db.end();
      }
    });

    it('lets only an owner or the API key create staff', async () => {
      const login = await call('Login', { input: { email: 'manager@acme.test', password: 'another long secret' } });
      const managerToken = login.data!['login'].token as string;
      const res = await call(
        'CreateStaff',
        { input: { email: 'x@acme.test', name: 'X', role: 'OWNER', password: 'long enough password' } },
        managerToken,
      );
      expect(errorOf(res).code).toBe('FORBIDDEN');
      const anonymous = await call('CreateStaff', {
        input: { email: 'y@acme.test', name: 'Y', role: 'OWNER', password: 'long enough password' },
      });
      expect(errorOf(anonymous).code).toBe('UNAUTHENTICATED');
    });

    it('refuses bad input and duplicates naming the field', async () => {
      const short = await call(
        'CreateStaff',
        { input: { email: 'not-an-email', name: 'Z', role: 'OWNER', password: 'short' } },
        acme.apiKey,
      );
      expect(errorOf(short).code).toBe('BAD_USER_INPUT');
      expect(short.errors![0]!.message).toMatch(/input\.email/);
      expect(short.errors![0]!.message).toMatch(/input\.password/);
      const dup = await call(
        'CreateStaff',
        { input: { email: 'owner@ACME.test', name: 'Again', role: 'MANAGER', password: 'long enough password' } },
        globex.apiKey,
      );
      expect(errorOf(dup)).toMatchObject({ code: 'CONFLICT', field: 'input.email' });
    });

    it('answers a wrong password and an unknown e-mail alike, and throttles repeated failures', async () => {
      const wrong = await call('Login', { input: { email: 'owner@acme.test', password: 'wrong password' } });
      const unknown = await call('Login', { input: { email: 'nobody@acme.test', password: 'wrong password' } });
      expect(errorOf(wrong).code).toBe('UNAUTHENTICATED');
      expect(unknown.errors![0]!.message).toBe(wrong.errors![0]!.message);
      // Ten failures for one e-mail from this address (the first above counts) and the right
      // password is refused too, from this address.
      for (let i = 0; i < 9; i++) await call('Login', { input: { email: 'owner@acme.test', password: `wrong ${i}` } });
      const locked = await call('Login', { input: { email: 'owner@acme.test', password: 'correct horse battery' } });
      expect(errorOf(locked).code).toBe('RATE_LIMITED');
      expect(errorOf(locked)['retryAfterSeconds']).toBeGreaterThan(0);
      const other = await call('Login', { input: { email: 'manager@acme.test', password: 'another long secret' } });
      expect(other.errors).toBeUndefined();
      // The owner elsewhere is not locked out.
      const elsewhere = await callFrom('198.51.100.31', 'Login', {
        input: { email: 'owner@acme.test', password: 'correct horse battery' },
      });
      expect(elsewhere.errors).toBeUndefined();
    });

    it('lets the owner in while an attacker at another address has tripped every limit that applies to it', async () => {
      const attempts = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          callFrom('203.0.113.50', 'Login', { input: { email: 'owner@acme.test', password: `guess ${i}` } }),
        ),
      );
      const codes = attempts.map((r) => errorOf(r).code as string);
      // 10 failures per e-mail and address reach the password check, all 60 count on the address.
      expect(codes.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(10);
      expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(50);
      const attacker = await callFrom('203.0.113.50', 'Login', {
        input: { email: 'manager@acme.test', password: 'another long secret' },
      });
      expect(errorOf(attacker).code).toBe('RATE_LIMITED');

      const owner = await callFrom('198.51.100.32', 'Login', {
        input: { email: 'owner@acme.test', password: 'correct horse battery' },
      });
      expect(owner.errors).toBeUndefined();
      expect(owner.data!['login'].staff).toMatchObject({ email: 'owner@acme.test' });
    });
  });

  describe('distributors', () => {
    it('creates and lists the caller’s distributors only', async () => {
      const created = await call(
        'CreateDistributor',
        { input: { name: 'Partner One', email: 'sales@partner.test' } },
        acme.apiKey,
      );
      expect(created.data!['createDistributor']).toMatchObject({ name: 'Partner One', email: 'sales@partner.test' });
      const dup = await call('CreateDistributor', { input: { name: 'partner one' } }, acme.apiKey);
      expect(errorOf(dup)).toMatchObject({ code: 'CONFLICT', field: 'input.name' });
      expect((await call('Distributors', {}, acme.apiKey)).data!['distributors']).toHaveLength(1);
      expect((await call('Distributors', {}, globex.apiKey)).data!['distributors']).toEqual([]);
    });
  });

  describe('license keys', () => {
    let distributorId: string;
    let managerId: string;
    let key: { id: string; code: string };

    beforeAll(async () => {
      distributorId = (await call('Distributors', {}, acme.apiKey)).data!['distributors'][0].id;
      const staff = await stack.call('{ staff { id email } }', {}, acme.apiKey);
      managerId = staff.data!['staff'].find((s: { email: string }) => s.email === 'manager@acme.test').id;
    });

    it('issues a key in the vendor’s format and shows it on the key card', async () => {
      key = await createKey(
        acme.apiKey,
        { company: 'Roga i Kopyta', contactName: 'Ivan', phone: '+7 900', email: 'Ivan@Roga.test' },
        { distributorId, managerId, comment: 'first key' },
      );
      expect(key.code).toMatch(KEY_FORMAT);
      const typed = key.code.toLowerCase().replace(/-/g, ' ');
      const card = await call('LicenseKeyCard', { code: typed }, acme.apiKey);
      expect(card.errors).toBeUndefined();
      expect(card.data!['licenseKey']).toMatchObject({
        id: key.id,
        code: key.code,
        comment: 'first key',
        client: { company: 'Roga i Kopyta', contactName: 'Ivan', phone: '+7 900', email: 'ivan@roga.test' },
        distributor: { id: distributorId, name: 'Partner One' },
        manager: { id: managerId, name: 'Max Manager' },
        licenses: [],
      });
      await eventually(() => probe.events.find((e) => e.type === 'key.created' && e.subject === key.id), {
        what: 'key.created',
      });
    });

    it('tells a mistyped key from an unknown one', async () => {
      const malformed = await call('LicenseKeyCard', { code: 'ACME-123' }, acme.apiKey);
      expect(errorOf(malformed)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
      const unknown = await call('LicenseKeyCard', { code: 'ACME-22222-22222-22222-22222' }, acme.apiKey);
      expect(errorOf(unknown)).toMatchObject({ code: 'NOT_FOUND', field: 'code' });
    });

    it('shows and changes nothing of another vendor’s keys', async () => {
      expect(errorOf(await call('LicenseKeyCard', { code: key.code }, globex.apiKey)).code).toBe('NOT_FOUND');
      expect(
        errorOf(await call('UpdateLicenseKey', { id: key.id, input: { comment: 'mine now' } }, globex.apiKey)).code,
      ).toBe('NOT_FOUND');
      expect(errorOf(await call('DeleteLicenseKey', { id: key.id }, globex.apiKey)).code).toBe('NOT_FOUND');
      const search = await call('LicenseKeys', { filter: { search: 'roga' } }, globex.apiKey);
      expect(search.data!['licenseKeys'].totalCount).toBe(0);
      const foreignRef = await call(
        'CreateLicenseKey',
        { input: { client: { company: 'G' }, distributorId } },
        globex.apiKey,
      );
      expect(errorOf(foreignRef)).toMatchObject({ code: 'NOT_FOUND', field: 'input.distributorId' });
      const card = await call('LicenseKeyCard', { code: key.code }, acme.apiKey);
      expect(card.data!['licenseKey'].comment).toBe('first key');
    });

    it('edits the card, clears fields with null, and announces the new state', async () => {
      const res = await call(
        'UpdateLicenseKey',
        { id: key.id, input: { contactName: 'Pyotr', phone: null, comment: 'renewal due', distributorId: null } },
        acme.apiKey,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!['updateLicenseKey']).toMatchObject({
        comment: 'renewal due',
        client: { company: 'Roga i Kopyta', contactName: 'Pyotr', phone: null, email: 'ivan@roga.test' },
        distributor: null,
        manager: { id: managerId },
      });
      await eventually(
        () =>
          probe.events.find((e) => e.type === 'key.updated' && e.subject === key.id && e.data.contactName === 'Pyotr'),
        { what: 'key.updated' },
      );
      const bad = await call('UpdateLicenseKey', { id: key.id, input: { email: 'nope', company: '' } }, acme.apiKey);
      expect(errorOf(bad).code).toBe('BAD_USER_INPUT');
      expect(bad.errors![0]!.message).toMatch(/input\.email/);
    });

    it('re-binds the key to the client of the new company name, or renames a client of its own', async () => {
      const other = await createKey(acme.apiKey, { company: 'Horns and Hooves', email: 'boss@horns.test' });
      const rebound = await call(
        'UpdateLicenseKey',
        { id: key.id, input: { company: 'HORNS AND HOOVES' } },
        acme.apiKey,
      );
      expect(rebound.data!['updateLicenseKey'].client).toMatchObject({
        company: 'Horns and Hooves',
        email: 'boss@horns.test',
      });
      const otherCard = await call('LicenseKeyCard', { code: other.code }, acme.apiKey);
      expect(otherCard.data!['licenseKey'].client.company).toBe('Horns and Hooves');
      // Now the two keys share a client: renaming one key's company gives it a client of its own.
      const split = await call(
        'UpdateLicenseKey',
        { id: key.id, input: { company: 'Roga Holding', email: 'cfo@roga.test' } },
        acme.apiKey,
      );
      expect(split.data!['updateLicenseKey'].client).toMatchObject({ company: 'Roga Holding', email: 'cfo@roga.test' });
      const untouched = await call('LicenseKeyCard', { code: other.code }, acme.apiKey);
      expect(untouched.data!['licenseKey'].client).toMatchObject({
        company: 'Horns and Hooves',
        email: 'boss@horns.test',
      });
    });

    it('searches code, company and e-mail, case-insensitively, newest first, page by page', async () => {
      const made = [];
      for (let i = 1; i <= 5; i++)
        made.push(await createKey(acme.apiKey, { company: `Searchable Company ${i}`, email: `buyer${i}@search.test` }));
      const byCompany = await call('LicenseKeys', { filter: { search: 'SEARCHABLE comp' }, first: 2 }, acme.apiKey);
      const page1 = byCompany.data!['licenseKeys'];
      expect(page1.totalCount).toBe(5);
      expect(page1.edges.map((e: any) => e.node.client.company)).toEqual([
        'Searchable Company 5',
        'Searchable Company 4',
      ]);
      expect(page1.pageInfo.hasNextPage).toBe(true);
      const page2 = (
        await call(
          'LicenseKeys',
          { filter: { search: 'searchable' }, first: 2, after: page1.pageInfo.endCursor },
          acme.apiKey,
        )
      ).data!['licenseKeys'];
      expect(page2.edges.map((e: any) => e.node.client.company)).toEqual([
        'Searchable Company 3',
        'Searchable Company 2',
      ]);
      const page3 = (
        await call(
          'LicenseKeys',
          { filter: { search: 'searchable' }, first: 2, after: page2.pageInfo.endCursor },
          acme.apiKey,
        )
      ).data!['licenseKeys'];
      expect(page3.edges).toHaveLength(1);
      expect(page3.pageInfo.hasNextPage).toBe(false);

      // Several words: every one of them, in this order, not just the longest.
      const whole = (await call('LicenseKeys', { filter: { search: 'searchable company 4' } }, acme.apiKey)).data![
        'licenseKeys'
      ];
      expect(whole.edges.map((e: any) => e.node.client.company)).toEqual(['Searchable Company 4']);
      expect(
        (await call('LicenseKeys', { filter: { search: 'company searchable' } }, acme.apiKey)).data!['licenseKeys']
          .totalCount,
      ).toBe(0);
      const byEmail = (await call('LicenseKeys', { filter: { search: 'BUYER3@' } }, acme.apiKey)).data!['licenseKeys'];
      expect(byEmail.edges.map((e: any) => e.node.id)).toEqual([made[2]!.id]);
      const codePrefix = made[0]!.code.slice(0, 10).toLowerCase();
      const byCode = (await call('LicenseKeys', { filter: { search: codePrefix } }, acme.apiKey)).data!['licenseKeys'];
      expect(byCode.edges.map((e: any) => e.node.code)).toContain(made[0]!.code);
      const undashed = (
        await call('LicenseKeys', { filter: { search: made[1]!.code.replace(/-/g, '').slice(4, 16) } }, acme.apiKey)
      ).data!['licenseKeys'];
      expect(undashed.edges.map((e: any) => e.node.code)).toEqual([made[1]!.code]);
      const wildcard = (await call('LicenseKeys', { filter: { search: '%_%' } }, acme.apiKey)).data!['licenseKeys'];
      expect(wildcard.totalCount).toBe(0);
    });

    it('refuses a too short search, a bad page size and a foreign cursor', async () => {
      expect(errorOf(await call('LicenseKeys', { filter: { search: 'ab' } }, acme.apiKey)).code).toBe('BAD_USER_INPUT');
      expect(errorOf(await call('LicenseKeys', { first: 101 }, acme.apiKey))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'first',
      });
      expect(errorOf(await call('LicenseKeys', { after: 'bm90LWEtY3Vyc29y' }, acme.apiKey))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'after',
      });
    });

    it('deletes a key: gone from the card and the search, announced with key.deleted', async () => {
      const doomed = await createKey(acme.apiKey, { company: 'Doomed Ltd' });
      const res = await call('DeleteLicenseKey', { id: doomed.id }, acme.apiKey);
      expect(res.data!['deleteLicenseKey']).toBe(true);
      expect(errorOf(await call('LicenseKeyCard', { code: doomed.code }, acme.apiKey)).code).toBe('NOT_FOUND');
      expect(
        (await call('LicenseKeys', { filter: { search: 'doomed' } }, acme.apiKey)).data!['licenseKeys'].totalCount,
      ).toBe(0);
      expect(errorOf(await call('DeleteLicenseKey', { id: doomed.id }, acme.apiKey)).code).toBe('NOT_FOUND');
      await eventually(() => probe.events.find((e) => e.type === 'key.deleted' && e.subject === doomed.id), {
        what: 'key.deleted',
      });
    });
  });

  describe('federation', () => {
    it('resolves keys, products, distributors, staff and vendors by reference for the other subgraphs', async () => {
      const key = await createKey(acme.apiKey, { company: 'Referenced Co' });
      const product = (
        await call(
          'CreateProduct',
          { input: { code: 'REF', name: 'Referenced', licenseModel: 'HOST_BINDING' } },
          acme.apiKey,
        )
      ).data!['createProduct'];
      const distributor = (await call('Distributors', {}, acme.apiKey)).data!['distributors'][0];
      const staff = (await stack.call('{ staff { id } }', {}, acme.apiKey)).data!['staff'][0];
      const header = signIdentityHeader(stack.secrets.identitySigningSecret, {
        identity: { kind: 'vendor', vendorId: acme.id, apiKeyId: 'k' },
        requestId: 'ref',
        clientIp: '',
      });
      const res = await postGraphQL<{ _entities: unknown[] }>(
        stack.subgraphs.keys.graphqlUrl,
        {
          query: `query($r: [_Any!]!) { _entities(representations: $r) {
            ... on LicenseKey { code client { company } }
            ... on Product { code }
            ... on Distributor { name }
            ... on Staff { email }
            ... on Vendor { prefix }
          } }`,
          variables: {
            r: [
              { __typename: 'LicenseKey', id: key.id },
              { __typename: 'Product', id: product.id },
              { __typename: 'Distributor', id: distributor.id },
              { __typename: 'Staff', id: staff.id },
              { __typename: 'Vendor', id: acme.id },
            ],
          },
        },
        undefined,
        { [IDENTITY_HEADER]: header },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!._entities).toEqual([
        { code: key.code, client: { company: 'Referenced Co' } },
        { code: 'REF' },
        { name: distributor.name },
        { email: expect.any(String) },
        { prefix: 'ACME' },
      ]);
    });
  });

  describe('API keys', () => {
    const API_KEYS =
      'query ApiKeys($vendorId: ID) { apiKeys(vendorId: $vendorId) { id prefix createdAt lastUsedAt revokedAt } }';
    const REVOKE = 'mutation RevokeApiKey($id: ID!) { revokeApiKey(id: $id) { id prefix revokedAt } }';
    const CREATE = 'mutation CreateApiKey($vendorId: ID!) { createApiKey(vendorId: $vendorId) }';
    const PRODUCTS = contractOperation('Products');
    let ownerToken: string;

    beforeAll(async () => {
      // From an address of its own: this file's throttle tests refused the owner's e-mail here.
      const login = await callFrom('198.51.100.40', 'Login', {
        input: { email: 'owner@acme.test', password: 'correct horse battery' },
      });
      expect(login.errors).toBeUndefined();
      ownerToken = login.data!['login'].token as string;
    });

    it('lists the vendor’s keys by prefix and last use, never a key, to its owner and the operator', async () => {
      const mine = await stack.call(API_KEYS, {}, ownerToken);
      expect(mine.errors).toBeUndefined();
      const [first] = mine.data!['apiKeys'] as Record<string, string | null>[];
      // The key CreateVendor returned, used by every test above.
      expect(first).toMatchObject({ prefix: acme.apiKey.slice(0, 12), revokedAt: null });
      expect(new Date(first!['lastUsedAt']!).getTime()).toBeGreaterThan(new Date(first!['createdAt']!).getTime() - 1);
      expect(JSON.stringify(mine.data)).not.toContain(acme.apiKey.slice(12));

      const operator = await stack.call(API_KEYS, { vendorId: acme.id }, stack.operatorToken);
      expect(operator.data!['apiKeys']).toEqual(mine.data!['apiKeys']);
      expect(errorOf(await stack.call(API_KEYS, {}, stack.operatorToken))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'vendorId',
      });
      expect(errorOf(await stack.call(API_KEYS, { vendorId: globex.id }, ownerToken)).code).toBe('FORBIDDEN');
      const manager = await call('Login', { input: { email: 'manager@acme.test', password: 'another long secret' } });
      expect(errorOf(await stack.call(API_KEYS, {}, manager.data!['login'].token as string)).code).toBe('FORBIDDEN');
      expect(errorOf(await stack.call(API_KEYS, {})).code).toBe('UNAUTHENTICATED');
    });

    it('refuses a revoked key on the very next request, at every gateway', async () => {
      const created = await stack.call(CREATE, { vendorId: acme.id }, ownerToken);
      const key = created.data!['createApiKey'] as string;
      // Resolved and cached by both gateways.
      for (const url of [stack.gatewayUrl, proxied.url]) {
        for (let i = 0; i < 2; i++) expect((await postGraphQL(url, { query: PRODUCTS }, key)).errors).toBeUndefined();
      }
      const listed = (await stack.call(API_KEYS, {}, ownerToken)).data!['apiKeys'] as { id: string; prefix: string }[];
      const { id } = listed.find((k) => k.prefix === key.slice(0, 12))!;

      // Another vendor cannot revoke it, nor learn that it exists.
      const foreign = await stack.call(REVOKE, { id }, globex.apiKey);
      expect(errorOf(foreign)).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
      expect((await postGraphQL(stack.gatewayUrl, { query: PRODUCTS }, key)).errors).toBeUndefined();
      expect(errorOf(await stack.call(REVOKE, { id: 'not-an-id' }, ownerToken)).code).toBe('BAD_USER_INPUT');

      const revoked = await stack.call(REVOKE, { id }, ownerToken);
      expect(revoked.errors).toBeUndefined();
      expect(revoked.data!['revokeApiKey']).toMatchObject({
        id,
        prefix: key.slice(0, 12),
        revokedAt: expect.any(String),
      });
      for (const url of [stack.gatewayUrl, proxied.url]) {
        const next = await postGraphQL<Record<string, any>>(url, { query: PRODUCTS }, key);
        expect(next.status).toBe(401);
        expect(errorOf(next).code).toBe('UNAUTHENTICATED');
      }
      // The vendor's other key is untouched, and partners read api-key.revoked.
      expect((await stack.call(PRODUCTS, {}, acme.apiKey)).errors).toBeUndefined();
      const event = await eventually(() => probe.events.find((e) => e.type === 'api-key.revoked' && e.subject === id), {
        what: 'api-key.revoked',
      });
      expect(event.data).toMatchObject({ apiKeyId: id, vendorId: acme.id, prefix: key.slice(0, 12) });
      expect(JSON.stringify(event)).not.toContain(key.slice(12));
    });

    it('lets the operator revoke any vendor’s key', async () => {
      const key = (await stack.call(CREATE, { vendorId: globex.id }, stack.operatorToken)).data![
        'createApiKey'
      ] as string;
      expect((await postGraphQL(stack.gatewayUrl, { query: PRODUCTS }, key)).errors).toBeUndefined();
      const listed = (await stack.call(API_KEYS, { vendorId: globex.id }, stack.operatorToken)).data!['apiKeys'] as {
        id: string;
        prefix: string;
      }[];
      const { id } = listed.find((k) => k.prefix === key.slice(0, 12))!;
      expect((await stack.call(REVOKE, { id }, stack.operatorToken)).errors).toBeUndefined();
      expect((await postGraphQL(stack.gatewayUrl, { query: PRODUCTS }, key)).status).toBe(401);
    });
  });

  describe('client cabinet', () => {
    let key: { id: string; code: string };

    beforeAll(async () => {
      key = await createKey(acme.apiKey, { company: 'Cabinet Client', email: 'it@cabinet.test' });
    });

    it('logs in with the key as typed and sees only that key', async () => {
      const login = await call('ClientLogin', { input: { code: ` ${key.code.toLowerCase()} ` } });
      expect(login.errors).toBeUndefined();
      expect(login.data!['clientLogin'].licenseKey).toEqual({ code: key.code });
      const token = login.data!['clientLogin'].token as string;
      const mine = await stack.call(MY_KEY, {}, token);
      expect(mine.errors).toBeUndefined();
      expect(mine.data!['myLicenseKey']).toMatchObject({
        code: key.code,
        client: { company: 'Cabinet Client' },
        licenses: [],
      });
      expect(errorOf(await call('LicenseKeys', {}, token)).code).toBe('FORBIDDEN');
      expect(errorOf(await call('LicenseKeyCard', { code: key.code }, token)).code).toBe('FORBIDDEN');
      expect(errorOf(await call('UpdateLicenseKey', { id: key.id, input: { comment: 'x' } }, token)).code).toBe(
        'FORBIDDEN',
      );
    });

    /** Sends unknown keys until refused; returns how many were answered before the refusal. */
    async function guessUntilRefused(
      max: number,
      send: (i: number, code: string) => Promise<GraphQLResponse>,
      first = 0,
    ): Promise<number> {
      for (let i = 0; i < max; i++) {
        const res = await send(i, `ACME-22222-22222-22222-${String(first + i).padStart(5, '3')}`);
        if (errorOf(res).code === 'RATE_LIMITED') return i;
        expect(errorOf(res).code).toBe('UNAUTHENTICATED');
      }
      return max;
    }

    it('refuses unknown and malformed codes differently', async () => {
      const unknown = await callFrom('203.0.113.1', 'ClientLogin', { input: { code: 'ACME-22222-22222-22222-22222' } });
      expect(errorOf(unknown).code).toBe('UNAUTHENTICATED');
      const malformed = await callFrom('203.0.113.1', 'ClientLogin', { input: { code: 'hello' } });
      expect(errorOf(malformed)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.code' });
    });

    it('throttles an address that keeps guessing, and only that address', async () => {
      // 20 different unknown codes per address in 15 minutes (the window starts with the first).
      const answered = await guessUntilRefused(41, (_, code) =>
        callFrom('203.0.113.77', 'ClientLogin', { input: { code } }),
      );
      expect(answered).toBe(20);
      const throttled = await callFrom('203.0.113.77', 'ClientLogin', { input: { code: key.code } });
      expect(errorOf(throttled).code).toBe('RATE_LIMITED');
      const elsewhere = await callFrom('198.51.100.8', 'ClientLogin', { input: { code: key.code } });
      expect(elsewhere.errors).toBeUndefined();
    });

    it('does not count retries of one code against the address', async () => {
      for (let i = 0; i < 10; i++) {
        const retry = await callFrom('203.0.113.78', 'ClientLogin', {
          input: { code: 'ACME-22222-22222-22222-44444' },
        });
        expect(errorOf(retry).code).toBe('UNAUTHENTICATED');
      }
      const eleventh = await callFrom('203.0.113.78', 'ClientLogin', {
        input: { code: 'ACME-22222-22222-22222-44444' },
      });
      expect(errorOf(eleventh).code).toBe('RATE_LIMITED');
      const mine = await callFrom('203.0.113.78', 'ClientLogin', { input: { code: key.code } });
      expect(mine.errors).toBeUndefined();
    });

    it('locks nobody out when guessing is spread over many addresses (no limit across addresses)', async () => {
      const answered = await guessUntilRefused(
        121,
        (i, code) => callFrom(`192.0.2.${i + 1}`, 'ClientLogin', { input: { code } }),
        1000,
      );
      expect(answered).toBe(121);
      const fresh = await callFrom('198.51.100.9', 'ClientLogin', { input: { code: key.code } });
      expect(fresh.errors).toBeUndefined();
    });

    it('ignores X-Forwarded-For from a peer that is not a listed proxy: every guess counts on the peer', async () => {
      // The main gateway lists no proxy (the default): a forged header names no new address.
      const answered = await guessUntilRefused(
        41,
        (i, code) =>
          call('ClientLogin', { input: { code } }, undefined, { 'x-forwarded-for': `198.51.100.${100 + i}` }),
        2000,
      );
      expect(answered).toBe(20);
      const forged = await call('ClientLogin', { input: { code: key.code } }, undefined, {
        'x-forwarded-for': '198.51.100.200',
      });
      expect(errorOf(forged).code).toBe('RATE_LIMITED');
    });
  });
});
