import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { CouponDeactivated, createEvent, EventEnvelope, LicenseExpired } from '@licensing/events';
import { DomainError } from '@licensing/graphql';
import { eventually } from '@licensing/testing';
import { NotificationService } from '../src/notification/notification.service';
import { SettingsService } from '../src/settings/settings.service';
import { WebhookService } from '../src/webhook/webhook.service';
import { WebhookDeliveryService } from '../src/webhook/webhook-delivery.service';
import { HttpReceiver } from './http-receiver';
import { NotificationsTestbed, productEvent, Vendor } from './notifications-testbed';
import { SmtpReceiver } from './smtp-receiver';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error instanceof DomainError
      ? `${error.code}${error.field ? `:${error.field}` : ''}: ${error.message}`
      : String(error);
  }
}

function keyEvent(vendor: Vendor): EventEnvelope<object> {
  const keyId = randomUUID();
  return createEvent(CouponDeactivated, {
    vendorId: vendor.id,
    subject: keyId,
    data: {
      activationId: randomUUID(),
      couponId: randomUUID(),
      couponCode: 'ACMEUPD-X',
      couponType: 'ADD_PRODUCT',
      keyId,
      keyCode: 'ACME-X',
    },
  });
}

describe('webhooks to real HTTP receivers on loopback', () => {
  let bed: NotificationsTestbed;
  let hooks: WebhookService;
  let acme: Vendor;
  let globex: Vendor;

  beforeAll(async () => {
    bed = await NotificationsTestbed.start('notifications-webhooks', { WEBHOOK_MAX_ATTEMPTS: '4', MAIL_POLL_MS: '0' });
    hooks = bed.first.get(WebhookService);
    acme = await bed.vendor('Acme Software', 'ACME');
    globex = await bed.vendor('Globex', 'GLBX');
  });

  afterAll(async () => {
    await bed.close();
  });

  async function deliveries(endpointId: string, vendor = acme) {
    return hooks.deliveries(vendor.id, endpointId, 200);
  }

  it('signs each delivery the Standard Webhooks way; the package’s verifier accepts it; the log and notification.sent follow', async () => {
    const rx = await HttpReceiver.start();
    try {
      const endpoint = await hooks.create(acme.id, { url: rx.url, eventTypes: [] });
      expect(endpoint.secret).toMatch(/^whsec_/);
      expect((await hooks.list(acme.id)).find((e) => e.id === endpoint.id)?.secret).toBeNull();
      const event = productEvent(acme);
      await bed.first.deliver(event);
      await eventually(() => rx.received.length === 1, { what: 'one delivery' });
      const [got] = rx.received;
      const verified = new Webhook(endpoint.secret!).verify(got!.body, got!.headers as Record<string, string>);
      expect(verified).toEqual(JSON.parse(JSON.stringify(event)));
      expect(got!.headers['webhook-id']).toBe(event.id);
      expect(() =>
        new Webhook(`whsec_${Buffer.alloc(24, 1).toString('base64')}`).verify(
          got!.body,
          got!.headers as Record<string, string>,
        ),
      ).toThrow();
      const [d] = await eventually(async () => {
        const ds = await deliveries(endpoint.id);
        return ds[0]?.status === 'DELIVERED' && ds;
      });
      expect(d!.log).toHaveLength(1);
      expect(d!.log[0]).toMatchObject({ statusCode: 200, error: null, nextAttemptAt: null });
      const sent = await bed.first.dataSource.query<{ payload: { data: Record<string, string> } }[]>(
        `SELECT payload FROM outbox WHERE event_type = 'notification.sent' AND payload->'data'->>'notificationId' = $1`,
        [d!.id],
      );
      expect(sent[0]!.payload.data).toMatchObject({ channel: 'WEBHOOK', type: 'product.updated', recipient: rx.url });
      // A redelivered event queues nothing more.
      await bed.first.deliver(event);
      await new Promise((r) => setTimeout(r, 300));
      expect(rx.received).toHaveLength(1);

      // Rotation: the old secret no longer verifies, the new one does.
      const rotated = await hooks.rotateSecret(acme.id, endpoint.id);
      expect(rotated.secret).not.toBe(endpoint.secret);
      await bed.first.deliver(productEvent(acme));
      await eventually(() => rx.received.length === 2);
      const second = rx.received[1]!;
      expect(() =>
        new Webhook(endpoint.secret!).verify(second.body, second.headers as Record<string, string>),
      ).toThrow();
      expect(new Webhook(rotated.secret!).verify(second.body, second.headers as Record<string, string>)).toBeTruthy();

      // Redeliver one delivery: the same webhook-id again, the log goes on.
      const again = await hooks.redeliver(acme.id, d!.id);
      expect(['PENDING', 'SENDING', 'DELIVERED']).toContain(again.status);
      await eventually(() => rx.received.length === 3);
      expect(rx.received[2]!.headers['webhook-id']).toBe(event.id);
      await eventually(
        async () => (await hooks.deliveries(acme.id, endpoint.id)).find((x) => x.id === d!.id)!.log.length === 2,
      );

      // A test ping.
      const ping = await hooks.ping(acme.id, endpoint.id);
      expect(ping.eventType).toBe('webhook.ping');
      await eventually(() => rx.received.length === 4);
      expect(JSON.parse(rx.received[3]!.body)).toMatchObject({ type: 'webhook.ping', vendorId: acme.id });
      await hooks.delete(acme.id, endpoint.id);
    } finally {
      await rx.close();
    }
  });

  it('event-type filters, and a vendor’s endpoint never receives another vendor’s events', async () => {
    const all = await HttpReceiver.start();
    const some = await HttpReceiver.start();
    const other = await HttpReceiver.start();
    try {
      const eAll = await hooks.create(acme.id, { url: all.url });
      const eSome = await hooks.create(acme.id, { url: some.url, eventTypes: ['license.expired'] });
      const eOther = await hooks.create(globex.id, { url: other.url, eventTypes: [] });
      const keyId = randomUUID();
      const expired = createEvent(LicenseExpired, {
        vendorId: acme.id,
        subject: keyId,
        data: {
          licenseId: randomUUID(),
          keyId,
          keyCode: 'ACME-K',
          productCode: 'PBX',
          kind: 'MAIN',
          expiresAt: new Date().toISOString(),
          daysLeft: 0,
          email: null,
        },
      });
      const product = productEvent(acme);
      const globexEvent = productEvent(globex);
      for (const e of [expired, product, globexEvent]) await bed.first.deliver(e);
      await eventually(() => all.received.length === 2 && some.received.length === 1 && other.received.length === 1, {
        what: 'the deliveries',
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(all.ids().sort()).toEqual([expired.id, product.id].sort());
      expect(some.ids()).toEqual([expired.id]);
      expect(other.ids()).toEqual([globexEvent.id]);
      // Cross-vendor: another vendor's endpoint is not found for anything.
      expect(await codeOf(hooks.deliveries(globex.id, eAll.id))).toMatch(/^NOT_FOUND:endpointId/);
      expect(await codeOf(hooks.update(globex.id, eAll.id, { enabled: false }))).toMatch(/^NOT_FOUND:id/);
      expect(await codeOf(hooks.rotateSecret(globex.id, eAll.id))).toMatch(/^NOT_FOUND:id/);
      expect(await codeOf(hooks.ping(globex.id, eAll.id))).toMatch(/^NOT_FOUND:id/);
      expect(await codeOf(hooks.delete(globex.id, eAll.id))).toMatch(/^NOT_FOUND:id/);
      const d = (await deliveries(eAll.id))[0]!;
      expect(await codeOf(hooks.redeliver(globex.id, d.id))).toMatch(/^NOT_FOUND:id/);
      expect((await hooks.list(globex.id)).map((e) => e.id)).toEqual([eOther.id]);
      for (const e of [eAll, eSome]) await hooks.delete(acme.id, e.id);
      await hooks.delete(globex.id, eOther.id);
    } finally {
      await Promise.all([all.close(), some.close(), other.close()]);
    }
  });

  it('retries after 500s and timeouts with backoff, and logs every attempt', async () => {
    const rx = await HttpReceiver.start();
    rx.answer = (_r, i) => (i === 0 ? { status: 500 } : i === 1 ? { status: 200, delayMs: 1_500 } : { status: 204 });
    try {
      const endpoint = await hooks.create(acme.id, { url: rx.url });
      const event = keyEvent(acme);
      await bed.first.deliver(event);
      const [d] = await eventually(
        async () => {
          const ds = await deliveries(endpoint.id);
          return ds[0]?.status === 'DELIVERED' && ds;
        },
        { what: 'delivered on the third attempt' },
      );
      expect(d!.attempts).toBe(3);
      expect(d!.log.map((a) => a.statusCode)).toEqual([500, null, 204]);
      expect(d!.log[0]!.error).toBe('the endpoint answered 500');
      expect(d!.log[1]!.error).toMatch(/no answer within 1000 ms/);
      expect(d!.log[0]!.nextAttemptAt).not.toBeNull();
      expect(new Set(rx.ids())).toEqual(new Set([event.id]));
      await hooks.delete(acme.id, endpoint.id);
    } finally {
      await rx.close();
    }
  });

  it('410 fails the delivery and disables the endpoint; endless failures give up, disable it and announce webhook.delivery-failed', async () => {
    const gone = await HttpReceiver.start();
    gone.answer = () => ({ status: 410 });
    const broken = await HttpReceiver.start();
    broken.answer = () => ({ status: 503 });
    try {
      const eGone = await hooks.create(acme.id, { url: gone.url });
      const eBroken = await hooks.create(acme.id, { url: broken.url });
      await bed.first.deliver(productEvent(acme));
      await eventually(async () => (await hooks.list(acme.id)).find((e) => e.id === eGone.id)?.enabled === false, {
        what: 'disabled by 410',
      });
      const [dGone] = await deliveries(eGone.id);
      expect(dGone).toMatchObject({ status: 'FAILED', attempts: 1, lastStatusCode: 410 });
      expect((await hooks.list(acme.id)).find((e) => e.id === eGone.id)?.disabledReason).toBe(
        'the endpoint answered 410 Gone',
      );
      const [dBroken] = await eventually(
        async () => {
          const ds = await deliveries(eBroken.id);
          return ds[0]?.status === 'FAILED' && ds;
        },
        { what: 'given up after 4 attempts' },
      );
      expect(dBroken!.attempts).toBe(4);
      expect(broken.received).toHaveLength(4);
      const listed = (await hooks.list(acme.id)).find((e) => e.id === eBroken.id)!;
      expect(listed.enabled).toBe(false);
      const failed = await bed.first.dataSource.query<
        { payload: { data: { deliveryId: string; attempts: number } } }[]
      >(`SELECT payload FROM outbox WHERE event_type = 'webhook.delivery-failed'`);
      expect(failed.map((f) => f.payload.data)).toContainEqual(
        expect.objectContaining({ deliveryId: dBroken!.id, attempts: 4 }),
      );
      // A disabled endpoint gets nothing new; enabled again, it does.
      await bed.first.deliver(productEvent(acme));
      await new Promise((r) => setTimeout(r, 300));
      expect(gone.received).toHaveLength(1);
      expect(await codeOf(hooks.ping(acme.id, eGone.id))).toMatch(/^CONFLICT:id/);
      gone.answer = () => ({ status: 200 });
      await hooks.update(acme.id, eGone.id, { enabled: true });
      await bed.first.deliver(productEvent(acme));
      await eventually(() => gone.received.length === 2);
      for (const e of [eGone, eBroken]) await hooks.delete(acme.id, e.id);
    } finally {
      await Promise.all([gone.close(), broken.close()]);
    }
  });

  it('a disabled endpoint is e-mailed to its vendor’s owners, once per disable, even when deliveries fail together', async () => {
    const smtp = await SmtpReceiver.start();
    const gone = await HttpReceiver.start();
    gone.answer = () => ({ status: 410, delayMs: 100 });
    const broken = await HttpReceiver.start();
    broken.answer = () => ({ status: 503 });
    const own = await NotificationsTestbed.start('notifications-webhooks-owners', {
      SMTP_PORT: String(smtp.port),
      MAIL_POLL_MS: '50',
      WEBHOOK_MAX_ATTEMPTS: '3',
      // No webhook worker here: the test takes deliveries itself to fail four at once.
      WEBHOOK_POLL_MS: '0',
      MAIL_SENDER_NAME: 'Licensing Platform',
    });
    const hooks = own.first.get(WebhookService);
    const notifications = own.first.get(NotificationService);
    try {
      const acme = await own.vendor('Acme Software', 'ACME');
      const globex = await own.vendor('Globex', 'GLBX');
      await own.staff(acme, 'Olga@Acme.test', 'Olga');
      await own.staff(acme, 'oleg@acme.test', 'Oleg');
      await own.staff(acme, 'max@acme.test', 'Max', 'MANAGER');
      await own.staff(globex, 'owner@globex.test', 'Gina');
      const eGone = await hooks.create(acme.id, { url: gone.url });
      // Four deliveries in flight to the 410 endpoint at once: each fails, one transaction disables it.
      for (let i = 0; i < 4; i++) await own.first.deliver(productEvent(acme));
      const sender = own.first.get(WebhookDeliveryService);
      const taken = (await sender.take(10)).deliveries;
      expect(taken).toHaveLength(4);
      await Promise.all(taken.map((d) => sender.deliver(d)));
      expect(gone.received).toHaveLength(4);
      expect(gone.maxInFlight).toBeGreaterThan(1);
      expect((await hooks.list(acme.id)).find((e) => e.id === eGone.id)?.enabled).toBe(false);
      const [olga] = await smtp.waitFor('olga@acme.test');
      expect(olga!.from?.value[0]?.name).toBe('Licensing Platform');
      expect(olga!.subject).toBe('Webhook endpoint disabled');
      expect(olga!.text).toContain('Hello Olga,');
      expect(olga!.text).toContain(gone.url);
      expect(olga!.text).toContain('A webhook endpoint of Acme Software was disabled');
      expect(olga!.text).toContain('it answered 410 Gone');
      await smtp.waitFor('oleg@acme.test');

      // Retries that run out disable the other endpoint (a second instance runs the webhook worker):
      // one more letter each, in the vendor's language.
      await own.instance({
        SMTP_PORT: String(smtp.port),
        MAIL_POLL_MS: '0',
        WEBHOOK_MAX_ATTEMPTS: '3',
        MAIL_SENDER_NAME: 'Licensing Platform',
      });
      await own.first.get(SettingsService).update(acme.id, { language: 'RU' });
      const eBroken = await hooks.create(acme.id, { url: broken.url });
      await own.first.deliver(productEvent(acme));
      const second = (await smtp.waitFor('olga@acme.test', 2)).find((m) => m.text?.includes(broken.url));
      expect(second!.subject).toBe('Вебхук отключён');
      expect(second!.text).toContain(broken.url);
      expect(second!.text).toContain('попыток: 3');
      expect(second!.text).toContain('Последняя ошибка: the endpoint answered 503');

      // Enabled again and gone again: a new disable, a new letter.
      await hooks.update(acme.id, eGone.id, { enabled: true });
      await own.first.deliver(productEvent(acme));
      await smtp.waitFor('olga@acme.test', 3);
      await new Promise((r) => setTimeout(r, 500));
      expect(smtp.to('olga@acme.test')).toHaveLength(3);
      expect(smtp.to('oleg@acme.test')).toHaveLength(3);
      expect(smtp.to('max@acme.test')).toHaveLength(0);
      expect(smtp.to('owner@globex.test')).toHaveLength(0);

      // Each letter's cause is the webhook.delivery-failed event of the transaction that disabled the endpoint.
      const letters = (await notifications.list(acme.id, null, 50)).filter(
        (n) => n.message === 'WEBHOOK_ENDPOINT_DISABLED',
      );
      expect(letters).toHaveLength(6);
      expect(letters.every((n) => n.type === 'webhook.delivery-failed' && n.keyCode === null)).toBe(true);
      const failed = await own.first.dataSource.query<{ event_id: string }[]>(
        `SELECT id AS event_id FROM outbox WHERE event_type = 'webhook.delivery-failed'`,
      );
      expect(failed.map((f) => f.event_id)).toEqual(
        expect.arrayContaining([...new Set(letters.map((l) => l.eventId))]),
      );
      expect(new Set(letters.map((l) => l.eventId)).size).toBe(3);
      expect((await notifications.list(globex.id, null, 50)).some((n) => n.channel === 'EMAIL')).toBe(false);
      for (const e of [eGone, eBroken]) await hooks.delete(acme.id, e.id);
    } finally {
      await own.close();
      await Promise.all([smtp.close(), gone.close(), broken.close()]);
    }
  });

  it('a receiver down for a while gets everything once when it is back; a slow one delays no other', async () => {
    const down = await HttpReceiver.reserve();
    const slow = await HttpReceiver.start();
    slow.answer = () => ({ status: 200, delayMs: 1_500 });
    const fast = await HttpReceiver.start();
    // Retries that never run out here: the endpoint that is down must not be disabled meanwhile.
    const own = await NotificationsTestbed.start('notifications-webhooks-down', {
      WEBHOOK_MAX_ATTEMPTS: '1000',
      // The slow receiver answers well within the timeout: slow, not failing.
      WEBHOOK_TIMEOUT_MS: '5000',
      MAIL_POLL_MS: '0',
    });
    const hooks = own.first.get(WebhookService);
    const acme = await own.vendor('Acme Software', 'ACME');
    const deliveries = (endpointId: string) => hooks.deliveries(acme.id, endpointId, 200);
    try {
      const eDown = await hooks.create(acme.id, { url: down.url });
      const eSlow = await hooks.create(acme.id, { url: slow.url });
      const eFast = await hooks.create(acme.id, { url: fast.url });
      const events = Array.from({ length: 20 }, () => productEvent(acme));
      for (const e of events) await own.first.deliver(e);
      await eventually(() => fast.received.length === 20, { what: 'the fast receiver has all', timeoutMs: 7_000 });
      // The slow receiver needs at least 20 × 1.5 s / 4 (its concurrency) = 7.5 s for the same
      // events: the fast one had them all before the slow one had, so it did not wait for it.
      expect(slow.received.length).toBeLessThan(20);
      await eventually(
        async () => {
          const ds = await deliveries(eDown.id);
          if (ds.every((d) => d.attempts >= 2)) return true;
          throw new Error(JSON.stringify(ds.map((d) => [d.status, d.attempts, d.lastError])));
        },
        { what: 'failed attempts while down' },
      );
      await down.listen();
      await eventually(
        async () => {
          if (down.received.length >= 20 && slow.received.length >= 20) return true;
          const ds = await deliveries(eDown.id);
          throw new Error(
            `down ${down.received.length}, slow ${slow.received.length}: ${JSON.stringify(ds.slice(0, 3).map((d) => [d.status, d.attempts, d.lastError, d.nextAttemptAt]))}`,
          );
        },
        { what: 'all delivered', timeoutMs: 40_000 },
      );
      await new Promise((r) => setTimeout(r, 500));
      for (const rx of [down, slow, fast]) expect(rx.ids().sort()).toEqual(events.map((e) => e.id).sort());
      expect(slow.maxInFlight).toBeLessThanOrEqual(4);
      expect(slow.maxInFlight).toBeGreaterThan(1);
      for (const e of [eDown, eSlow, eFast]) await hooks.delete(acme.id, e.id);
    } finally {
      await own.close();
      await Promise.all([down.close(), slow.close(), fast.close()]);
    }
  }, 120_000);

  it('SSRF: https only without the development setting, and never private, link-local or metadata addresses', async () => {
    expect(await codeOf(hooks.create(acme.id, { url: 'https://10.0.0.1/hooks' }))).toBe(
      'BAD_USER_INPUT:input.url: url resolves to a forbidden address: 10.0.0.1 is a private address',
    );
    expect(await codeOf(hooks.create(acme.id, { url: 'http://169.254.169.254/latest/meta-data' }))).toMatch(
      /metadata address/,
    );
    expect(await codeOf(hooks.create(acme.id, { url: 'https://[fe80::1]/x' }))).toMatch(/link-local address/);
    expect(await codeOf(hooks.create(acme.id, { url: 'ftp://example.com/x' }))).toMatch(/url must be http or https/);
    expect(await codeOf(hooks.create(acme.id, { url: 'https://user:pw@example.com/x' }))).toMatch(
      /user name or password/,
    );
    expect(await codeOf(hooks.create(acme.id, { url: 'not a url' }))).toMatch(/absolute http\(s\) URL/);

    // Without WEBHOOK_ALLOW_LOOPBACK: http and loopback are refused, at registration and at delivery.
    const other = await NotificationsTestbed.start('notifications-ssrf', { WEBHOOK_POLL_MS: '0', MAIL_POLL_MS: '0' });
    const rx = await HttpReceiver.start();
    try {
      const vendor = await other.vendor('Acme Software', 'ACME');
      const strict = await other.instance({ WEBHOOK_ALLOW_LOOPBACK: 'false', WEBHOOK_POLL_MS: '0', MAIL_POLL_MS: '0' });
      const strictHooks = strict.get(WebhookService);
      expect(await codeOf(strictHooks.create(vendor.id, { url: 'http://127.0.0.1:9/x' }))).toMatch(/url must be https/);
      expect(await codeOf(strictHooks.create(vendor.id, { url: 'https://localhost:9/x' }))).toMatch(/loopback address/);
      // Registered where loopback is allowed; the strict instance refuses the delivery before connecting.
      const endpoint = await other.first.get(WebhookService).create(vendor.id, { url: rx.url });
      await other.first.deliver(productEvent(vendor));
      const strictSender = strict.get(WebhookDeliveryService);
      const taken = (await strictSender.take(5)).deliveries;
      expect(taken).toHaveLength(1);
      await strictSender.deliver(taken[0]!);
      expect(rx.received).toHaveLength(0);
      const [d] = await strictHooks.deliveries(vendor.id, endpoint.id);
      expect(d).toMatchObject({ status: 'PENDING', attempts: 1 });
      expect(d!.log[0]!.error).toBe('127.0.0.1 is a loopback address');
    } finally {
      await rx.close();
      await other.close();
    }
  });
});
