import { Webhook } from 'standardwebhooks';
import { eventually } from '@licensing/testing';
import { HttpReceiver } from '../../services/notifications/test/http-receiver';
import { contractOperation } from '../support/contract';
import { GraphQLResponse, startTestStack, TestStack } from '../support/stack';

const errorOf = (res: GraphQLResponse) => res.errors?.[0]?.extensions ?? {};

// Operations beyond the contract's (CreateWebhookEndpoint, WebhookDeliveries, Notifications).
const ENDPOINTS = 'query WebhookEndpoints { webhookEndpoints { id url enabled } }';
const UPDATE = `mutation UpdateWebhookEndpoint($id: ID!, $input: UpdateWebhookEndpointInput!) {
  updateWebhookEndpoint(id: $id, input: $input) { id url enabled }
}`;
const DELETE = 'mutation DeleteWebhookEndpoint($id: ID!) { deleteWebhookEndpoint(id: $id) }';
const REDELIVER = 'mutation RedeliverWebhook($id: ID!) { redeliverWebhook(id: $id) { id status } }';
const ROTATE = 'mutation RotateWebhookSecret($id: ID!) { rotateWebhookSecret(id: $id) { id secret } }';
const PING = 'mutation TestWebhookEndpoint($id: ID!) { testWebhookEndpoint(id: $id) { id } }';

interface Envelope {
  id: string;
  type: string;
  vendorId: string;
  data: { keyId?: string; code?: string };
}

/**
 * Webhooks through the gateway: a vendor's endpoint on a loopback receiver (allowed by the
 * development setting) gets its own key events, signed so that the standardwebhooks verifier
 * accepts them, and never another vendor's; the other vendor cannot see or touch the endpoint
 * or its deliveries.
 */
describe('webhooks through the gateway', () => {
  let stack: TestStack;
  let rxAcme: HttpReceiver;
  let rxGlobex: HttpReceiver;
  let acme: { id: string; apiKey: string };
  let globex: { id: string; apiKey: string };

  const call = (name: string, variables: Record<string, unknown>, token?: string) =>
    stack.call(contractOperation(name), variables, token);
  const received = (rx: HttpReceiver) => rx.received.map((r) => JSON.parse(r.body) as Envelope);

  beforeAll(async () => {
    [rxAcme, rxGlobex] = await Promise.all([HttpReceiver.start(), HttpReceiver.start()]);
    stack = await startTestStack({ notifications: { WEBHOOK_ALLOW_LOOPBACK: 'true', WEBHOOK_POLL_MS: '100' } });
    const vendor = async (prefix: string, name: string) => {
      const res = await call('CreateVendor', { input: { prefix, name } }, stack.operatorToken);
      return { id: res.data!['createVendor'].vendor.id as string, apiKey: res.data!['createVendor'].apiKey as string };
    };
    [acme, globex] = await Promise.all([vendor('ACME', 'Acme Software'), vendor('GLBX', 'Globex')]);
  });

  afterAll(async () => {
    await stack?.close();
    await Promise.all([rxAcme?.close(), rxGlobex?.close()]);
  });

  it('a vendor’s key event arrives signed at its endpoint, another vendor’s never does, and the other vendor cannot reach the endpoint', async () => {
    const created = await call('CreateWebhookEndpoint', { input: { url: rxAcme.url, eventTypes: [] } }, acme.apiKey);
    expect(created.errors).toBeUndefined();
    const endpoint = created.data!['createWebhookEndpoint'] as { id: string; url: string; secret: string };
    expect(endpoint).toMatchObject({ url: rxAcme.url, eventTypes: [] });
    expect(endpoint.secret).toMatch(/^whsec_/);
    const theirs = await call(
      'CreateWebhookEndpoint',
      { input: { url: rxGlobex.url, eventTypes: ['key.created'] } },
      globex.apiKey,
    );
    expect(theirs.errors).toBeUndefined();

    const issue = async (vendor: { apiKey: string }, company: string) => {
      const res = await call(
        'CreateLicenseKey',
        { input: { client: { company, contactName: 'Carl', email: `carl@${company.toLowerCase()}.test` } } },
        vendor.apiKey,
      );
      expect(res.errors).toBeUndefined();
      return res.data!['createLicenseKey'] as { id: string; code: string };
    };
    const mine = await issue(acme, 'AcmeClient');
    const other = await issue(globex, 'GlobexClient');

    // Each receiver gets its own vendor's key.created; the other vendor's event has arrived at its
    // own receiver before acme's is checked for it.
    const [got] = await eventually(
      () => {
        const events = received(rxAcme).filter((e) => e.type === 'key.created');
        return events.length >= 1 && rxAcme.received.filter((r) => JSON.parse(r.body).type === 'key.created');
      },
      { what: 'acme’s key.created at its receiver', timeoutMs: 30_000 },
    );
    await eventually(() => received(rxGlobex).some((e) => e.data.keyId === other.id), {
      what: 'globex’s key.created at its receiver',
      timeoutMs: 30_000,
    });
    const verified = new Webhook(endpoint.secret).verify(got!.body, got!.headers as Record<string, string>) as Envelope;
    expect(verified).toMatchObject({
      type: 'key.created',
      vendorId: acme.id,
      data: { keyId: mine.id, code: mine.code },
    });
    expect(got!.headers['webhook-id']).toBe(verified.id);
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(24, 7).toString('base64')}`).verify(
        got!.body,
        got!.headers as Record<string, string>,
      ),
    ).toThrow();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(received(rxAcme).every((e) => e.vendorId === acme.id)).toBe(true);
    expect(received(rxAcme).some((e) => e.data.keyId === other.id)).toBe(false);
    expect(received(rxGlobex).every((e) => e.vendorId === globex.id && e.type === 'key.created')).toBe(true);

    // The delivery is in the log and in the key's notifications, for acme.
    const deliveries = await eventually(
      async () => {
        const res = await call('WebhookDeliveries', { endpointId: endpoint.id, first: 50 }, acme.apiKey);
        const rows = (res.data?.['webhookDeliveries'] ?? []) as { id: string; eventId: string; status: string }[];
        const delivery = rows.find((d) => d.eventId === verified.id);
        return delivery?.status === 'DELIVERED' && delivery;
      },
      { what: 'the delivery logged as DELIVERED' },
    );
    const listed = await eventually(
      async () => {
        const res = await call('Notifications', { keyCode: mine.code, first: 20 }, acme.apiKey);
        const rows = (res.data?.['notifications'] ?? []) as Record<string, string>[];
        return rows.find((n) => n['channel'] === 'WEBHOOK' && n['status'] === 'SENT') && rows;
      },
      { what: 'the delivery in the key’s notifications' },
    );
    expect(listed.find((n) => n['channel'] === 'WEBHOOK')).toMatchObject({
      id: deliveries.id,
      type: 'key.created',
      recipient: rxAcme.url,
    });

    // The other vendor: not found, whatever it tries; nothing of acme's in its lists.
    const foreign = [
      await call('WebhookDeliveries', { endpointId: endpoint.id }, globex.apiKey),
      await stack.call(UPDATE, { id: endpoint.id, input: { enabled: false } }, globex.apiKey),
      await stack.call(UPDATE, { id: endpoint.id, input: { url: rxGlobex.url } }, globex.apiKey),
      await stack.call(ROTATE, { id: endpoint.id }, globex.apiKey),
      await stack.call(PING, { id: endpoint.id }, globex.apiKey),
      await stack.call(REDELIVER, { id: deliveries.id }, globex.apiKey),
      await stack.call(DELETE, { id: endpoint.id }, globex.apiKey),
      await call('Notifications', { keyCode: mine.code }, globex.apiKey),
    ];
    for (const res of foreign) {
      expect(res.data?.[Object.keys(res.data ?? {})[0] ?? ''] ?? null).toBeNull();
      expect(errorOf(res)['code']).toBe('NOT_FOUND');
    }
    const theirList = await stack.call(ENDPOINTS, {}, globex.apiKey);
    expect((theirList.data!['webhookEndpoints'] as { id: string }[]).map((e) => e.id)).not.toContain(endpoint.id);
    const theirNotifications = await call('Notifications', { first: 200 }, globex.apiKey);
    expect(
      (theirNotifications.data!['notifications'] as { recipient: string }[]).some((n) => n.recipient === rxAcme.url),
    ).toBe(false);

    // Untouched: still enabled, same URL, same secret (a new event verifies with it), still acme's.
    const ours = await stack.call(ENDPOINTS, {}, acme.apiKey);
    expect(ours.data!['webhookEndpoints']).toContainEqual({ id: endpoint.id, url: rxAcme.url, enabled: true });
    const before = rxAcme.received.length;
    await issue(acme, 'AcmeSecond');
    const next = await eventually(
      () => rxAcme.received.slice(before).find((r) => (JSON.parse(r.body) as Envelope).type === 'key.created'),
      { what: 'acme’s next key.created', timeoutMs: 30_000 },
    );
    expect(new Webhook(endpoint.secret).verify(next.body, next.headers as Record<string, string>)).toBeTruthy();
    const anonymous = await stack.call(DELETE, { id: endpoint.id });
    expect(errorOf(anonymous)['code']).toBe('UNAUTHENTICATED');
    const deleted = await stack.call(DELETE, { id: endpoint.id }, acme.apiKey);
    expect(deleted.data!['deleteWebhookEndpoint']).toBe(true);
  });
});
