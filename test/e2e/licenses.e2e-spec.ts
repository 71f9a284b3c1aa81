import { randomUUID } from 'node:crypto';
import { CouponActivated, CouponDeactivated, CouponType, createEvent, Topics } from '@licensing/events';
import { generateCode } from '@licensing/domain';
import { eventually } from '@licensing/testing';
import { contractOperation, contractOperationWithout } from '../support/contract';
import { EventProbe, probeTopic, publisher } from '../support/kafka';
import { GraphQLResponse, startTestStack, TestStack } from '../support/stack';

const KEY_CARD = contractOperationWithout('LicenseKeyCard', ['activations', 'bindings', 'sessions']);
const DAY = 86_400_000;
const errorOf = (res: GraphQLResponse) => res.errors?.[0]?.extensions ?? {};

interface CardLicense {
  id: string;
  kind: string;
  seats: number;
  expiresAt: string | null;
  active: boolean;
  source: string;
  product: { code: string };
}

describe('licenses through the gateway: registration, trials, coupon grants from Kafka', () => {
  let stack: TestStack;
  let acme: { id: string; apiKey: string; products: Record<string, string> };
  let globex: { id: string; apiKey: string };
  let probe: EventProbe;
  let bus: Awaited<ReturnType<typeof publisher>>;

  const call = (name: string, variables: Record<string, unknown>, token?: string) =>
    stack.call(contractOperation(name), variables, token);

  const registration = (overrides: Record<string, unknown> = {}, host: Record<string, unknown> = {}) => ({
    input: {
      vendorPrefix: 'acme',
      productCode: 'PBX',
      company: 'Registered Co',
      contactName: 'Rita',
      phone: '+1 555',
      email: 'rita@registered.test',
      host: {
        fingerprint: `fp-${randomUUID()}`,
        name: 'PC-1',
        os: 'Windows 11',
        ip: '10.0.0.5',
        platformVersion: '8.3',
        ...host,
      },
      ...overrides,
    },
  });

  async function card(code: string): Promise<{ id: string; code: string; licenses: CardLicense[] }> {
    const res = await stack.call(KEY_CARD, { code }, acme.apiKey);
    expect(res.errors).toBeUndefined();
    return res.data!['licenseKey'];
  }

  async function summary(
    code: string,
  ): Promise<{ product: { code: string }; active: boolean; seats: number; reason: string | null; message: string }[]> {
    const res = await stack.call(
      'query($code: String!) { licenseKey(code: $code) { products { product { code } active seats reason message } } }',
      { code },
      acme.apiKey,
    );
    return res.data!['licenseKey'].products;
  }

  async function newKey(company: string): Promise<{ id: string; code: string }> {
    const res = await call(
      'CreateLicenseKey',
      { input: { client: { company, email: `${randomUUID().slice(0, 8)}@client.test` } } },
      acme.apiKey,
    );
    return res.data!['createLicenseKey'];
  }

  beforeAll(async () => {
    stack = await startTestStack();
    const vendor = async (prefix: string) => {
      const res = await call('CreateVendor', { input: { prefix, name: prefix } }, stack.operatorToken);
      return { id: res.data!['createVendor'].vendor.id as string, apiKey: res.data!['createVendor'].apiKey as string };
    };
    const [a, g] = await Promise.all([vendor('ACME'), vendor('GLBX')]);
    globex = g;
    const products: Record<string, string> = {};
    for (const input of [
      { code: 'PBX', name: 'PBX', licenseModel: 'HOST_BINDING' },
      { code: 'CRM', name: 'CRM module', licenseModel: 'CONCURRENT_HOSTS', trialDays: 14, requiresProductCode: 'PBX' },
      { code: 'BASIC', name: 'Basic edition', licenseModel: 'CONCURRENT_SESSIONS' },
      { code: 'PRO', name: 'Pro edition', licenseModel: 'CONCURRENT_SESSIONS' },
    ]) {
      const res = await call('CreateProduct', { input }, a.apiKey);
      products[input.code] = res.data!['createProduct'].id;
    }
    await call('CreateProduct', { input: { code: 'PBX', name: 'Globex PBX', licenseModel: 'HOST_BINDING' } }, g.apiKey);
    acme = { ...a, products };
    probe = await probeTopic(`${stack.subgraphs.keys.topicPrefix}${Topics.keys}`);
    bus = await publisher();
  });

  afterAll(async () => {
    await bus?.close();
    await probe?.stop();
    await stack?.close();
  });

  describe('catalogue changes', () => {
    const UPDATE =
      'mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { code name licenseModel trialDays requires { code } } }';

    it('edits a product, announces product.updated, and refuses a requirement that loops', async () => {
      const created = await call(
        'CreateProduct',
        { input: { code: 'ADDON', name: 'Add-on', licenseModel: 'HOST_BINDING', requiresProductCode: 'PBX' } },
        acme.apiKey,
      );
      const id = created.data!['createProduct'].id as string;
      const res = await stack.call(
        UPDATE,
        {
          id,
          input: { name: 'Add-on 2', licenseModel: 'CONCURRENT_SESSIONS', trialDays: 7, requiresProductCode: null },
        },
        acme.apiKey,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!['updateProduct']).toEqual({
        code: 'ADDON',
        name: 'Add-on 2',
        licenseModel: 'CONCURRENT_SESSIONS',
        trialDays: 7,
        requires: null,
      });
      const updated = await eventually(
        () => probe.events.find((e) => e.type === 'product.updated' && e.subject === id),
        { what: 'product.updated' },
      );
      expect(updated.data).toMatchObject({
        code: 'ADDON',
        licenseModel: 'CONCURRENT_SESSIONS',
        trialDays: 7,
        requiresProductCode: null,
      });

      await stack.call(UPDATE, { id: acme.products['PBX'], input: { requiresProductCode: 'ADDON' } }, acme.apiKey);
      const loop = await stack.call(UPDATE, { id, input: { requiresProductCode: 'PBX' } }, acme.apiKey);
      expect(errorOf(loop)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.requiresProductCode' });
      await stack.call(UPDATE, { id: acme.products['PBX'], input: { requiresProductCode: null } }, acme.apiKey);
      expect(errorOf(await stack.call(UPDATE, { id, input: { name: 'mine' } }, globex.apiKey))).toMatchObject({
        code: 'NOT_FOUND',
      });
    });
  });

  describe('registration', () => {
    it('issues a key with a trial of the product and announces the key letter', async () => {
      const before = Date.now();
      const res = await call('Register', registration());
      expect(res.errors).toBeUndefined();
      const { licenseKey, license } = res.data!['register'];
      expect(licenseKey.code).toMatch(/^ACME(-[0-9A-Z]{5}){4}$/);
      expect(license).toMatchObject({ kind: 'TRIAL', active: true, product: { code: 'PBX' } });
      const expires = new Date(license.expiresAt).getTime();
      expect(expires).toBeGreaterThanOrEqual(before + 30 * DAY - 1000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 30 * DAY + 1000);
      const letter = await eventually(
        () => probe.events.find((e) => e.type === 'key.registered' && e.data.code === licenseKey.code),
        { what: 'key.registered' },
      );
      expect(letter.data).toMatchObject({
        email: 'rita@registered.test',
        productCode: 'PBX',
        company: 'Registered Co',
      });
      const granted = await eventually(
        () => probe.events.find((e) => e.type === 'license.granted' && e.data.keyCode === licenseKey.code),
        { what: 'license.granted' },
      );
      expect(granted.data).toMatchObject({
        kind: 'TRIAL',
        seats: 1,
        active: true,
        productCode: 'PBX',
        licenseModel: 'HOST_BINDING',
        source: { type: 'REGISTRATION' },
      });
      expect(granted.subject).toBe(granted.data.keyId);
      const shown = await card(licenseKey.code);
      expect(shown.licenses).toEqual([
        expect.objectContaining({ kind: 'TRIAL', source: 'REGISTRATION', active: true }),
      ]);
    });

    it('refuses a second registration with its number, and changes nothing', async () => {
      const first = registration({ email: 'one@reg.test', company: 'One Co' });
      expect((await call('Register', first)).errors).toBeUndefined();
      const host = first.input.host;
      const keysBefore = (await call('LicenseKeys', {}, acme.apiKey)).data!['licenseKeys'].totalCount;

      const cases: [string, Record<string, unknown>, number, string][] = [
        [
          'same host, same e-mail and company',
          registration({ email: 'ONE@reg.test', company: 'one co' }, host),
          1059,
          'ALREADY_REGISTERED',
        ],
        [
          'same host, other e-mail',
          registration({ email: 'two@reg.test', company: 'One Co' }, host),
          2051,
          'HOST_REGISTERED_WITH_OTHER_DETAILS',
        ],
        [
          'same host, other company',
          registration({ email: 'one@reg.test', company: 'Other Co' }, host),
          2051,
          'HOST_REGISTERED_WITH_OTHER_DETAILS',
        ],
        [
          'new host, e-mail with a key of another company',
          registration({ email: 'one@reg.test', company: 'Other Co' }),
          2022,
          'EMAIL_HAS_KEY_FOR_OTHER_COMPANY',
        ],
        [
          'new host, same e-mail and company',
          registration({ email: 'one@reg.test', company: 'One Co' }),
          1059,
          'ALREADY_REGISTERED',
        ],
        // Both 2051 and 2022 apply: the host is checked first.
        [
          'known host with an e-mail of another company',
          registration({ email: 'rita@registered.test', company: 'One Co' }, host),
          2051,
          'HOST_REGISTERED_WITH_OTHER_DETAILS',
        ],
      ];
      for (const [what, variables, licensingCode, code] of cases) {
        const res = await call('Register', variables);
        expect({ what, ...errorOf(res) }).toMatchObject({ what, code, licensingCode });
      }
      expect((await call('LicenseKeys', {}, acme.apiKey)).data!['licenseKeys'].totalCount).toBe(keysBefore);
    });

    it('counts a cabinet-issued key of the e-mail too', async () => {
      await call(
        'CreateLicenseKey',
        { input: { client: { company: 'Cabinet Co', email: 'boss@cabinet.test' } } },
        acme.apiKey,
      );
      const res = await call('Register', registration({ email: 'boss@cabinet.test', company: 'Another Co' }));
      expect(errorOf(res)).toMatchObject({ licensingCode: 2022 });
    });

    it('keeps each vendor’s registrations apart', async () => {
      const host = { fingerprint: `shared-${randomUUID()}` };
      expect((await call('Register', registration({ email: 'x@vendors.test' }, host))).errors).toBeUndefined();
      const other = await call(
        'Register',
        registration({ vendorPrefix: 'GLBX', email: 'y@vendors.test', company: 'Y' }, host),
      );
      expect(other.errors).toBeUndefined();
      expect(other.data!['register'].licenseKey.code).toMatch(/^GLBX-/);
    });

    it('names the field of an unknown vendor, product or bad input', async () => {
      expect(errorOf(await call('Register', registration({ vendorPrefix: 'NONE' })))).toMatchObject({
        code: 'NOT_FOUND',
        field: 'input.vendorPrefix',
      });
      expect(errorOf(await call('Register', registration({ productCode: 'NOPE' })))).toMatchObject({
        code: 'NOT_FOUND',
        field: 'input.productCode',
      });
      const bad = await call('Register', registration({ email: 'not-mail', vendorPrefix: 'AC1' }, { fingerprint: '' }));
      expect(errorOf(bad).code).toBe('BAD_USER_INPUT');
      for (const field of ['input.email', 'input.vendorPrefix', 'input.host.fingerprint'])
        expect(bad.errors![0]!.message).toContain(field);
    });

    it('lets exactly one of many parallel registrations from one host through', async () => {
      const host = { fingerprint: `race-${randomUUID()}` };
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          call('Register', registration({ email: `racer${i}@race.test`, company: `Racer ${i}` }, host)),
        ),
      );
      expect(results.filter((r) => !r.errors)).toHaveLength(1);
      expect(results.filter((r) => r.errors).map((r) => errorOf(r).licensingCode)).toEqual(new Array(11).fill(2051));
    });

    it('lets exactly one of many parallel registrations of one e-mail through', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          call('Register', registration({ email: 'same@race.test', company: 'Same Co' })),
        ),
      );
      expect(results.filter((r) => !r.errors)).toHaveLength(1);
      expect(results.filter((r) => r.errors).map((r) => errorOf(r).licensingCode)).toEqual(new Array(7).fill(1059));
    });
  });

  describe('idempotency keys', () => {
    it('answers a retried registration with its first answer, not 1059, even when the retries race', async () => {
      const idempotencyKey = randomUUID();
      const variables = registration({ email: 'retry@idem.test', company: 'Retry Co', idempotencyKey });
      const answers = await Promise.all(Array.from({ length: 5 }, () => call('Register', variables)));
      expect(answers.map((a) => a.errors)).toEqual(new Array(5).fill(undefined));
      const codes = new Set(answers.map((a) => a.data!['register'].licenseKey.code));
      expect(codes.size).toBe(1);
      const again = await call('Register', variables);
      expect(again.data!['register']).toEqual(answers[0]!.data!['register']);
      // Without the key the same registration is what it always was: already issued.
      const { idempotencyKey: _, ...plain } = variables.input as Record<string, unknown>;
      expect(errorOf(await call('Register', { input: plain })).licensingCode).toBe(1059);
    });

    it('refuses the same key with another input', async () => {
      const idempotencyKey = randomUUID();
      expect((await call('Register', registration({ email: 'a@idem.test', idempotencyKey }))).errors).toBeUndefined();
      const other = await call('Register', registration({ email: 'b@idem.test', idempotencyKey }));
      expect(errorOf(other)).toMatchObject({ code: 'CONFLICT', field: 'input.idempotencyKey' });
    });

    it('answers a retried trial with the trial, not CONFLICT', async () => {
      const key = await newKey('Idempotent Trial Co');
      const input = { keyCode: key.code, productCode: 'PBX', idempotencyKey: randomUUID() };
      const first = await call('ActivateTrial', { input });
      const retry = await call('ActivateTrial', { input });
      expect(first.errors).toBeUndefined();
      expect(retry.errors).toBeUndefined();
      expect(retry.data!['activateTrial']).toEqual(first.data!['activateTrial']);
      expect((await card(key.code)).licenses).toHaveLength(1);
    });

    it('refuses a malformed key with BAD_USER_INPUT naming it', async () => {
      const res = await call('Register', registration({ idempotencyKey: 'short' }));
      expect(errorOf(res)).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(res.errors![0]!.message).toContain('idempotencyKey');
    });
  });

  describe('trials', () => {
    it('gives a key one trial per product, reporting a missing required product', async () => {
      const key = await newKey('Trial Co');
      const crm = await call('ActivateTrial', { input: { keyCode: key.code.toLowerCase(), productCode: 'CRM' } });
      expect(crm.errors).toBeUndefined();
      expect(crm.data!['activateTrial']).toMatchObject({ kind: 'TRIAL', active: false, product: { code: 'CRM' } });
      expect((await summary(key.code)).find((p) => p.product.code === 'CRM')).toMatchObject({
        active: false,
        reason: 'REQUIRED_PRODUCT_INACTIVE',
      });

      const pbx = await call('ActivateTrial', { input: { keyCode: key.code, productCode: 'PBX' } });
      expect(pbx.data!['activateTrial']).toMatchObject({ kind: 'TRIAL', active: true });
      const crmNow = (await summary(key.code)).find((p) => p.product.code === 'CRM');
      expect(crmNow).toMatchObject({ active: true, seats: 1 });
      expect(crmNow!.message).toMatch(/^Trial license active until \d\d\.\d\d\.\d{4}$/);

      const again = await call('ActivateTrial', { input: { keyCode: key.code, productCode: 'PBX' } });
      expect(errorOf(again)).toMatchObject({ code: 'CONFLICT', field: 'input.productCode' });
    });

    it('gives exactly one trial to many parallel requests', async () => {
      const key = await newKey('Parallel Trial Co');
      const results = await Promise.all(
        Array.from({ length: 10 }, () => call('ActivateTrial', { input: { keyCode: key.code, productCode: 'BASIC' } })),
      );
      expect(results.filter((r) => !r.errors)).toHaveLength(1);
      expect(new Set(results.filter((r) => r.errors).map((r) => errorOf(r).code))).toEqual(new Set(['CONFLICT']));
      expect((await card(key.code)).licenses).toHaveLength(1);
    });

    it('refuses unknown keys and products, and other vendors’ tokens', async () => {
      expect(
        errorOf(
          await call('ActivateTrial', { input: { keyCode: 'ACME-22222-22222-22222-22222', productCode: 'PBX' } }),
        ),
      ).toMatchObject({ code: 'NOT_FOUND', field: 'input.keyCode' });
      expect(errorOf(await call('ActivateTrial', { input: { keyCode: 'ACME-12', productCode: 'PBX' } }))).toMatchObject(
        { code: 'BAD_USER_INPUT', field: 'input.keyCode' },
      );
      const key = await newKey('Scoped Trial Co');
      expect(errorOf(await call('ActivateTrial', { input: { keyCode: key.code, productCode: 'NOPE' } }))).toMatchObject(
        { code: 'NOT_FOUND', field: 'input.productCode' },
      );
      expect(
        errorOf(await call('ActivateTrial', { input: { keyCode: key.code, productCode: 'PBX' } }, globex.apiKey)),
      ).toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('coupon grants, applied from coupon events on Kafka', () => {
    const couponTopic = () => `${stack.subgraphs.keys.topicPrefix}${Topics.coupons}`;

    function activation(
      key: { id: string; code: string },
      type: CouponType,
      grants: { product: string; periodDays?: number | null; seats?: number; trialDays?: number }[],
      vendorId = acme.id,
    ) {
      const activationId = randomUUID();
      const couponCode = generateCode('coupon', 'ACME');
      const event = createEvent(CouponActivated, {
        vendorId,
        subject: key.id,
        data: {
          activationId,
          couponId: randomUUID(),
          couponCode,
          couponType: type,
          keyId: key.id,
          keyCode: key.code,
          channel: 'VENDOR_CABINET',
          grants: grants.map((g) => ({
            productId: acme.products[g.product]!,
            productCode: g.product,
            periodDays: g.periodDays ?? null,
            seats: g.seats ?? null,
            trialDays: g.trialDays ?? null,
          })),
        },
      });
      const deactivation = createEvent(CouponDeactivated, {
        vendorId,
        subject: key.id,
        data: {
          activationId,
          couponId: event.data.couponId,
          couponCode,
          couponType: type,
          keyId: key.id,
          keyCode: key.code,
        },
      });
      return { activationId, event, deactivation };
    }

    const licensesOf = async (code: string) => (await card(code)).licenses;
    const waitFor = (code: string, what: string, ok: (l: CardLicense[]) => boolean) =>
      eventually(
        async () => {
          const l = await licensesOf(code);
          return ok(l) ? l : undefined;
        },
        { what, timeoutMs: 20_000 },
      );

    it('adds a main license, then an additional one, retiring the trial; redelivery changes nothing', async () => {
      const key = await newKey('Coupon Co');
      await call('ActivateTrial', { input: { keyCode: key.code, productCode: 'PBX' } });
      const first = activation(key, 'ADD_PRODUCT', [{ product: 'PBX', periodDays: 365, seats: 5 }]);
      await bus.publish(couponTopic(), [first.event]);
      const afterFirst = await waitFor(key.code, 'main license', (l) => l.some((x) => x.kind === 'MAIN'));
      expect(afterFirst.find((l) => l.kind === 'MAIN')).toMatchObject({ seats: 5, active: true, source: 'COUPON' });
      expect(afterFirst.find((l) => l.kind === 'TRIAL')).toMatchObject({ active: false });

      // The client may now log in to its cabinet with the activated coupon instead of the key.
      const byCoupon = await call('ClientLogin', { input: { code: first.event.data.couponCode.toLowerCase() } });
      expect(byCoupon.data!['clientLogin'].licenseKey).toEqual({ code: key.code });

      const second = activation(key, 'ADD_PRODUCT', [{ product: 'PBX', periodDays: null, seats: 2 }]);
      await bus.publish(couponTopic(), [second.event, first.event, second.event]);
      const afterSecond = await waitFor(key.code, 'additional license', (l) => l.some((x) => x.kind === 'ADDITIONAL'));
      expect(afterSecond.find((l) => l.kind === 'ADDITIONAL')).toMatchObject({
        seats: 2,
        expiresAt: null,
        active: true,
      });
      expect((await summary(key.code)).find((p) => p.product.code === 'PBX')).toMatchObject({ active: true, seats: 7 });
      // A later event of the same key is applied only after the redelivered ones: they changed nothing.
      const marker = activation(key, 'ADD_PRODUCT', [{ product: 'BASIC', periodDays: 30, seats: 1 }]);
      await bus.publish(couponTopic(), [marker.event]);
      const settled = await waitFor(key.code, 'marker', (l) => l.some((x) => x.product.code === 'BASIC'));
      expect(settled.filter((l) => l.product.code === 'PBX')).toHaveLength(3);

      // Deactivating the first activation removes its main license and brings the trial back;
      // the additional license is left without a main one.
      await bus.publish(couponTopic(), [first.deactivation, first.deactivation]);
      const rolledBack = await waitFor(
        key.code,
        'rollback',
        (l) => !l.some((x) => x.kind === 'MAIN' && x.product.code === 'PBX'),
      );
      expect(rolledBack.filter((l) => l.product.code === 'PBX').map((l) => [l.kind, l.active])).toEqual([
        ['TRIAL', true],
        ['ADDITIONAL', false],
      ]);
      expect(errorOf(await call('ClientLogin', { input: { code: first.event.data.couponCode } })).code).toBe(
        'UNAUTHENTICATED',
      );
      const revoked = await eventually(
        () => probe.events.find((e) => e.type === 'license.revoked' && e.data.keyId === key.id),
        { what: 'license.revoked' },
      );
      expect(revoked.data).toMatchObject({
        kind: 'MAIN',
        seats: 5,
        active: false,
        source: { type: 'COUPON', id: first.activationId },
      });
    });

    it('extends a trial to the remaining days the coupon gives, or creates it, and rolls back', async () => {
      const key = await newKey('Extend Co');
      await call('ActivateTrial', { input: { keyCode: key.code, productCode: 'PBX' } });
      const original = (await licensesOf(key.code))[0]!.expiresAt!;
      const extend = activation(key, 'EXTEND_TRIAL', [
        { product: 'PBX', trialDays: 45 },
        { product: 'BASIC', trialDays: 10 },
      ]);
      await bus.publish(couponTopic(), [extend.event]);
      const extended = await waitFor(key.code, 'extension', (l) => l.length === 2);
      const pbx = extended.find((l) => l.product.code === 'PBX')!;
      expect(new Date(pbx.expiresAt!).getTime()).toBeGreaterThan(Date.now() + 44 * DAY);
      expect(extended.find((l) => l.product.code === 'BASIC')).toMatchObject({ kind: 'TRIAL', active: true });
      await bus.publish(couponTopic(), [extend.deactivation]);
      const restored = await waitFor(key.code, 'rollback', (l) => l.length === 1);
      expect(restored[0]!.expiresAt).toBe(original);
    });

    it('upgrades the product set and restores the previous one on deactivation', async () => {
      const key = await newKey('Upgrade Co');
      const base = activation(key, 'ADD_PRODUCT', [{ product: 'BASIC', periodDays: 365, seats: 3 }]);
      await bus.publish(couponTopic(), [base.event]);
      await waitFor(key.code, 'basic edition', (l) => l.some((x) => x.product.code === 'BASIC'));
      const upgrade = activation(key, 'UPGRADE', [{ product: 'PRO', periodDays: 365, seats: 3 }]);
      await bus.publish(couponTopic(), [upgrade.event]);
      const upgraded = await waitFor(key.code, 'upgrade', (l) => l.some((x) => x.product.code === 'PRO'));
      expect(upgraded.map((l) => [l.product.code, l.kind, l.active])).toEqual([
        ['BASIC', 'MAIN', false],
        ['PRO', 'MAIN', true],
      ]);
      await bus.publish(couponTopic(), [upgrade.deactivation]);
      const restored = await waitFor(key.code, 'downgrade', (l) => !l.some((x) => x.product.code === 'PRO'));
      expect(restored.map((l) => [l.product.code, l.kind, l.active, l.seats])).toEqual([['BASIC', 'MAIN', true, 3]]);
    });

    it('never applies a coupon event of one vendor to another vendor’s key', async () => {
      const key = await newKey('Guarded Co');
      const foreign = activation(key, 'ADD_PRODUCT', [{ product: 'PBX', periodDays: 30, seats: 9 }], globex.id);
      const marker = activation(key, 'ADD_PRODUCT', [{ product: 'BASIC', periodDays: 30, seats: 1 }]);
      await bus.publish(couponTopic(), [foreign.event, marker.event]);
      const settled = await waitFor(key.code, 'marker', (l) => l.length > 0);
      expect(settled.map((l) => l.product.code)).toEqual(['BASIC']);
    });
  });
});
