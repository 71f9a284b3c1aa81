import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Loads the demo data through the gateway, as a real operator, vendor and application
 * would: the DEMO vendor, a small catalogue, an owner who can log in to the cabinet, a
 * distributor, two keys issued from the cabinet and one self-registration with its trial.
 * Idempotent: the demo API key and owner password (shown only once) are kept in the local
 * state file, and what exists is skipped. Prints the demo vendor's API key on stdout.
 */
const gatewayUrl = process.env['GATEWAY_URL'] ?? 'http://127.0.0.1:4000/graphql';
const operatorToken = process.env['OPERATOR_TOKEN'] ?? '';
const statePath = process.env['DEMO_STATE'] ?? '.local/demo.json';

const DEMO = { prefix: 'DEMO', name: 'Demo Software Ltd' };
const PRODUCTS = [
  { code: 'PBX-CORE', name: 'PBX core', licenseModel: 'HOST_BINDING', trialDays: 30 },
  {
    code: 'PBX-CRM',
    name: 'CRM connector for the PBX',
    licenseModel: 'CONCURRENT_HOSTS',
    trialDays: 14,
    requiresProductCode: 'PBX-CORE',
  },
  { code: 'ACC-ADDON', name: 'Accounting add-on', licenseModel: 'CONCURRENT_SESSIONS', trialDays: 30 },
];

const OWNER = { email: 'owner@demo.test', name: 'Demo Owner', role: 'OWNER' };
const DISTRIBUTOR = { name: 'Demo Partner', email: 'sales@partner.demo.test' };
const KEYS = [
  { company: 'Roga i Kopyta LLC', contactName: 'Ivan Petrov', phone: '+7 495 000-00-01', email: 'it@roga.demo.test' },
  {
    company: 'Horns and Hooves Ltd',
    contactName: 'Anna Smith',
    phone: '+44 20 0000 0002',
    email: 'admin@horns.demo.test',
  },
];
const REGISTRATION = {
  vendorPrefix: 'DEMO',
  productCode: 'PBX-CORE',
  company: 'Self Service Inc',
  contactName: 'Sam Self',
  email: 'sam@selfservice.demo.test',
  host: { fingerprint: 'demo-host-0001', name: 'PBX-01', os: 'Debian 12', ip: '192.0.2.10', platformVersion: '2026.1' },
};

interface DemoState {
  apiKey?: string;
  ownerPassword?: string;
  /** The first demo key (PBX-CORE, 5 seats): packages/client's README example licenses itself with it. */
  demoKeyCode?: string;
}

function save(state: DemoState): void {
  writeFileSync(statePath, JSON.stringify(state, null, 2), { mode: 0o600 });
}

async function call<T>(token: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data as T;
}

async function main(): Promise<void> {
  if (!operatorToken) throw new Error('OPERATOR_TOKEN is not set');
  const saved = existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as DemoState) : {};
  const { vendors } = await call<{ vendors: { id: string; prefix: string }[] }>(
    operatorToken,
    '{ vendors { id prefix } }',
  );
  let apiKey = saved.apiKey;
  const demo = vendors.find((v) => v.prefix === DEMO.prefix);
  if (demo && !apiKey) {
    // The vendor exists (e.g. another checkout on this machine seeded it): issue a key.
    const issued = await call<{ createApiKey: string }>(
      operatorToken,
      'mutation($id: ID!) { createApiKey(vendorId: $id) }',
      { id: demo.id },
    );
    apiKey = issued.createApiKey;
    save({ ...saved, apiKey });
  }
  if (!demo) {
    const created = await call<{ createVendor: { apiKey: string } }>(
      operatorToken,
      'mutation($input: CreateVendorInput!) { createVendor(input: $input) { apiKey } }',
      { input: DEMO },
    );
    apiKey = created.createVendor.apiKey;
    save({ ...saved, apiKey });
  }
  if (!apiKey) throw new Error('no API key for the demo vendor');
  const { products } = await call<{ products: { code: string }[] }>(apiKey, '{ products { code } }');
  for (const product of PRODUCTS) {
    if (products.some((p) => p.code === product.code)) continue;
    await call(apiKey, 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }', {
      input: product,
    });
  }
  await seedCabinet(apiKey, { ...saved, apiKey });
  await recordDemoKey(apiKey);
  process.stdout.write(apiKey);
}

/** Staff, a distributor, keys and a registration: what the cabinets show on first login. */
async function seedCabinet(apiKey: string, state: DemoState): Promise<void> {
  const { staff } = await call<{ staff: { email: string }[] }>(apiKey, '{ staff { email } }');
  if (!staff.some((s) => s.email === OWNER.email)) {
    const password = state.ownerPassword ?? `demo-${randomBytes(9).toString('base64url')}`;
    save({ ...state, ownerPassword: password });
    await call(apiKey, 'mutation($input: CreateStaffInput!) { createStaff(input: $input) { id } }', {
      input: { ...OWNER, password },
    });
  }
  const { distributors } = await call<{ distributors: { id: string; name: string }[] }>(
    apiKey,
    '{ distributors { id name } }',
  );
  const distributorId =
    distributors.find((d) => d.name === DISTRIBUTOR.name)?.id ??
    (
      await call<{ createDistributor: { id: string } }>(
        apiKey,
        'mutation($input: CreateDistributorInput!) { createDistributor(input: $input) { id } }',
        { input: DISTRIBUTOR },
      )
    ).createDistributor.id;
  for (const client of KEYS) {
    const { licenseKeys } = await call<{ licenseKeys: { totalCount: number } }>(
      apiKey,
      'query($s: String) { licenseKeys(filter: { search: $s }) { totalCount } }',
      {
        s: client.email,
      },
    );
    if (licenseKeys.totalCount > 0) continue;
    await call(apiKey, 'mutation($input: CreateLicenseKeyInput!) { createLicenseKey(input: $input) { id } }', {
      input: { client, distributorId, comment: 'demo key' },
    });
  }
  const { licenseKeys } = await call<{ licenseKeys: { totalCount: number } }>(
    apiKey,
    'query($s: String) { licenseKeys(filter: { search: $s }) { totalCount } }',
    {
      s: REGISTRATION.email,
    },
  );
  if (licenseKeys.totalCount === 0) {
    await call(undefined, 'mutation($input: RegisterInput!) { register(input: $input) { licenseKey { code } } }', {
      input: REGISTRATION,
    });
  }
  await seedCoupons(apiKey, distributorId);
}

/** Keeps the first demo key's code in the state file, for the SDK example (packages/client/README.md). */
async function recordDemoKey(apiKey: string): Promise<void> {
  const { licenseKeys } = await call<{ licenseKeys: { edges: { node: { code: string } }[] } }>(
    apiKey,
    'query($s: String) { licenseKeys(filter: { search: $s }) { edges { node { code } } } }',
    { s: KEYS[0]!.email },
  );
  const demoKeyCode = licenseKeys.edges[0]?.node.code;
  const state = existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as DemoState) : {};
  if (demoKeyCode && state.demoKeyCode !== demoKeyCode) save({ ...state, demoKeyCode });
}

/** A batch of sales coupons, one of them activated on the first demo key. */
async function seedCoupons(apiKey: string, distributorId: string): Promise<void> {
  const { coupons } = await call<{ coupons: { totalCount: number } }>(apiKey, '{ coupons { totalCount } }');
  if (coupons.totalCount > 0) return;
  const { generateCoupons } = await call<{ generateCoupons: { coupons: { edges: { node: { code: string } }[] } } }>(
    apiKey,
    'mutation($input: GenerateCouponsInput!) { generateCoupons(input: $input) { coupons(first: 1) { edges { node { code } } } } }',
    {
      input: {
        type: 'ADD_PRODUCT',
        distributorId,
        comment: 'demo sales coupons',
        count: 10,
        products: [{ productCode: 'PBX-CORE', periodDays: 365, seats: 5 }],
      },
    },
  );
  const { licenseKeys } = await call<{ licenseKeys: { edges: { node: { code: string } }[] } }>(
    apiKey,
    'query($s: String) { licenseKeys(filter: { search: $s }) { edges { node { code } } } }',
    { s: KEYS[0]!.email },
  );
  const couponCode = generateCoupons.coupons.edges[0]!.node.code;
  const keyCode = licenseKeys.edges[0]!.node.code;
  // The coupons service learns of new keys from events: give it a moment.
  for (let attempt = 1; ; attempt++) {
    try {
      await call(apiKey, 'mutation($input: ActivateCouponInput!) { activateCoupon(input: $input) { id } }', {
        input: { keyCode, couponCode },
      });
      return;
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

main().catch((error: unknown) => {
  console.error(`demo data: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
