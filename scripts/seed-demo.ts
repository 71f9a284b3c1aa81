import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Loads the demo data through the gateway, as a real operator and vendor would:
 * the DEMO vendor and a small catalogue. Idempotent: the demo API key (shown only once
 * by createVendor) is kept in the local state file, and existing products are skipped.
 * Prints the demo vendor's API key on stdout.
 */
const gatewayUrl = process.env['GATEWAY_URL'] ?? 'http://127.0.0.1:4000/graphql';
const operatorToken = process.env['OPERATOR_TOKEN'] ?? '';
const statePath = process.env['DEMO_STATE'] ?? '.local/demo.json';

const DEMO = { prefix: 'DEMO', name: 'Demo Software Ltd' };
const PRODUCTS = [
  { code: 'PBX-CORE', name: 'PBX core', licenseModel: 'HOST_BINDING', trialDays: 30 },
  { code: 'PBX-CRM', name: 'CRM connector for the PBX', licenseModel: 'CONCURRENT_HOSTS', trialDays: 14, requiresProductCode: 'PBX-CORE' },
  { code: 'ACC-ADDON', name: 'Accounting add-on', licenseModel: 'CONCURRENT_SESSIONS', trialDays: 30 },
];

async function call<T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data as T;
}

async function main(): Promise<void> {
  if (!operatorToken) throw new Error('OPERATOR_TOKEN is not set');
  const saved = existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as { apiKey?: string }) : {};
  const { vendors } = await call<{ vendors: { id: string; prefix: string }[] }>(operatorToken, '{ vendors { id prefix } }');
  let apiKey = saved.apiKey;
  const demo = vendors.find((v) => v.prefix === DEMO.prefix);
  if (demo && !apiKey) {
    // The vendor exists (e.g. another checkout on this machine seeded it): issue a key.
    const issued = await call<{ createApiKey: string }>(operatorToken, 'mutation($id: ID!) { createApiKey(vendorId: $id) }', { id: demo.id });
    apiKey = issued.createApiKey;
    writeFileSync(statePath, JSON.stringify({ apiKey }, null, 2), { mode: 0o600 });
  }
  if (!demo) {
    const created = await call<{ createVendor: { apiKey: string } }>(
      operatorToken,
      'mutation($input: CreateVendorInput!) { createVendor(input: $input) { apiKey } }',
      { input: DEMO },
    );
    apiKey = created.createVendor.apiKey;
    writeFileSync(statePath, JSON.stringify({ apiKey }, null, 2), { mode: 0o600 });
  }
  if (!apiKey) throw new Error('no API key for the demo vendor');
  const { products } = await call<{ products: { code: string }[] }>(apiKey, '{ products { code } }');
  for (const product of PRODUCTS) {
    if (products.some((p) => p.code === product.code)) continue;
    await call(apiKey, 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }', { input: product });
  }
  process.stdout.write(apiKey);
}

main().catch((error: unknown) => {
  console.error(`demo data: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
