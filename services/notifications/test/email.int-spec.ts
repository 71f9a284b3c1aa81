import { randomUUID } from 'node:crypto';
import {
  CouponActivated,
  createEvent,
  KeyRegistered,
  KeyUpdated,
  LicenseExpired,
  LicenseExpiringSoon,
} from '@licensing/events';
import { DomainError } from '@licensing/graphql';
import { eventually } from '@licensing/testing';
import { EmailService } from '../src/email/email.service';
import { NotificationService } from '../src/notification/notification.service';
import { SettingsService } from '../src/settings/settings.service';
import { NotificationsTestbed, Vendor } from './notifications-testbed';
import { SmtpReceiver } from './smtp-receiver';

function registration(vendor: Vendor, email: string) {
  const keyId = randomUUID();
  const code = `${vendor.prefix}-0A1B2-C3D4E-F5G6H-${randomUUID()
    .slice(0, 5)
    .toUpperCase()
    .replace(/[ILOU]/g, '0')}`;
  return createEvent(KeyRegistered, {
    vendorId: vendor.id,
    subject: keyId,
    data: {
      keyId,
      code,
      productCode: 'PBX',
      company: 'Client Ltd',
      contactName: 'Ann Smith',
      email,
      hostFingerprint: 'host-1',
      trialExpiresAt: '2026-12-30T10:00:00.000Z',
    },
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error instanceof DomainError ? `${error.code}${error.field ? `:${error.field}` : ''}` : String(error);
  }
}

describe('e-mails to clients over real SMTP', () => {
  let smtp: SmtpReceiver;
  let bed: NotificationsTestbed;
  let acme: Vendor & { productId: string };

  beforeAll(async () => {
    smtp = await SmtpReceiver.start();
    bed = await NotificationsTestbed.start('notifications-email', {
      SMTP_PORT: String(smtp.port),
      MAIL_MAX_ATTEMPTS: '3',
    });
    acme = await bed.vendor('Acme Software', 'ACME');
  });

  afterAll(async () => {
    await bed.close();
    await smtp.close();
  });

  it('key.registered: the key letter reaches the client, from the vendor, with the key; notification.sent follows', async () => {
    const event = registration(acme, 'Ann@Client.test');
    await bed.first.deliver(event);
    const [mail] = await smtp.waitFor('ann@client.test');
    expect(mail!.from?.value[0]).toEqual({ name: 'Acme Software', address: 'no-reply@licensing.localhost' });
    expect(mail!.subject).toBe('Your Acme Software license key');
    expect(mail!.text).toContain(event.data.code);
    expect(mail!.text).toContain('Product: PBX Server');
    expect(mail!.text).toContain('30 December 2026');
    expect(mail!.html).toContain(event.data.code);
    const [row] = await bed.first.dataSource.query<{ id: string; status: string }[]>(
      `SELECT id, status FROM emails WHERE caused_by_event_id = $1`,
      [event.id],
    );
    await eventually(
      async () =>
        (
          await bed.first.dataSource.query<{ status: string }[]>('SELECT status FROM emails WHERE id = $1', [row!.id])
        )[0]?.status === 'SENT',
      { what: 'SENT' },
    );
    const sent = await bed.first.dataSource.query<{ payload: { data: Record<string, string> } }[]>(
      `SELECT payload FROM outbox WHERE event_type = 'notification.sent' AND id = $1`,
      [row!.id],
    );
    expect(sent[0]!.payload.data).toEqual({
      notificationId: row!.id,
      channel: 'EMAIL',
      type: 'key.registered',
      recipient: 'ann@client.test',
      causedByEventId: event.id,
    });
    expect(mail!.messageId).toBe(`<${row!.id}@notifications.licensing>`);
  });

  it('in Russian when the vendor chose it', async () => {
    const ru = await bed.vendor('Рога и Копыта', 'ROGA');
    await bed.first.get(SettingsService).update(ru.id, { language: 'RU' });
    const event = registration(ru, 'ivan@client.test');
    await bed.first.deliver(event);
    const [mail] = await smtp.waitFor('ivan@client.test');
    expect(mail!.subject).toBe('Ваш лицензионный ключ Рога и Копыта');
    expect(mail!.from?.value[0]?.name).toBe('Рога и Копыта');
    expect(mail!.text).toContain('Здравствуйте, Ann Smith!');
    expect(mail!.text).toContain('30 декабря 2026');
    expect(mail!.text).toContain(event.data.code);
  });

  it('coupon.activated and the expiry reminders go to the key’s client', async () => {
    const key = await bed.cabinetKey(acme, 'buyer@client.test');
    const grant = { productId: acme.productId, productCode: 'PBX', periodDays: 365, seats: 2 };
    await bed.first.deliver(
      createEvent(CouponActivated, {
        vendorId: acme.id,
        subject: key.keyId,
        data: {
          activationId: randomUUID(),
          couponId: randomUUID(),
          couponCode: 'ACMEUPD-AAAAA',
          couponType: 'ADD_PRODUCT',
          keyId: key.keyId,
          keyCode: key.code,
          channel: 'APPLICATION',
          grants: [grant],
        },
      }),
    );
    const expiry = {
      licenseId: randomUUID(),
      keyId: key.keyId,
      keyCode: key.code,
      productCode: 'PBX',
      kind: 'MAIN' as const,
      expiresAt: '2027-01-07T00:00:00.000Z',
      email: null,
    };
    for (const daysLeft of [7, 1]) {
      await bed.first.deliver(
        createEvent(LicenseExpiringSoon, { vendorId: acme.id, subject: key.keyId, data: { ...expiry, daysLeft } }),
      );
    }
    await bed.first.deliver(
      createEvent(LicenseExpired, { vendorId: acme.id, subject: key.keyId, data: { ...expiry, daysLeft: 0 } }),
    );
    const mails = await smtp.waitFor('buyer@client.test', 4);
    expect(mails.map((m) => m.subject).sort()).toEqual([
      'Coupon ACMEUPD-AAAAA activated',
      'PBX Server: license expired',
      'PBX Server: license expires in 1 day',
      'PBX Server: license expires in 7 days',
    ]);
    const coupon = mails.find((m) => m.subject?.startsWith('Coupon'))!;
    expect(coupon.text).toContain('- PBX Server: for 365 days, until');
    expect(coupon.text).toContain(key.code);
    // A key issued in the cabinet got no key letter by itself.
    expect(mails.some((m) => m.subject?.includes('license key'))).toBe(false);
  });

  it('coupon.activated for a key not heard of yet fails the handler (the consumer retries it)', async () => {
    const keyId = randomUUID();
    const event = createEvent(CouponActivated, {
      vendorId: acme.id,
      subject: keyId,
      data: {
        activationId: randomUUID(),
        couponId: randomUUID(),
        couponCode: 'ACMEUPD-BBBBB',
        couponType: 'ADD_PRODUCT',
        keyId,
        keyCode: 'ACME-00000-00000-00000-00000',
        channel: 'APPLICATION',
        grants: [{ productId: acme.productId, productCode: 'PBX', periodDays: 30 }],
      },
    });
    await expect(bed.first.deliver(event)).rejects.toThrow(/not in the read model yet/);
    const marked = await bed.first.dataSource.query(
      `SELECT 1 FROM processed_events WHERE event_id = $1 AND consumer = 'notifications'`,
      [event.id],
    );
    expect(marked).toHaveLength(0);
  });

  it('a cabinet key is mailed when the vendor asks, once per address; other vendors cannot', async () => {
    const emails = bed.first.get(EmailService);
    const key = await bed.cabinetKey(acme, 'cab@client.test');
    const other = await bed.vendor('Other Vendor', 'OTHR');
    expect(await codeOf(emails.sendKeyLetter(other.id, key.keyId))).toBe('NOT_FOUND:keyId');
    const first = await emails.sendKeyLetter(acme.id, key.keyId);
    const again = await emails.sendKeyLetter(acme.id, key.keyId);
    expect(again.id).toBe(first.id);
    expect(first).toMatchObject({
      channel: 'EMAIL',
      type: 'key.created',
      message: 'KEY_LETTER',
      recipient: 'cab@client.test',
    });
    const [mail] = await smtp.waitFor('cab@client.test');
    expect(mail!.text).toContain(key.code);
    expect(mail!.text).toContain('Hello Ann,');
    // A new address on the key card may get its own letter.
    await bed.first.deliver(
      createEvent(KeyUpdated, {
        vendorId: acme.id,
        subject: key.keyId,
        data: {
          keyId: key.keyId,
          code: key.code,
          clientId: randomUUID(),
          company: 'Client Ltd',
          contactName: 'Ann',
          email: 'new@client.test',
          origin: 'CABINET',
        },
      }),
    );
    expect((await emails.sendKeyLetter(acme.id, key.keyId)).id).not.toBe(first.id);
    await eventually(() => smtp.to('new@client.test').length === 1, { what: 'the letter to the new address' });
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.to('cab@client.test')).toHaveLength(1);

    const noMail = await bed.cabinetKey(acme, null);
    expect(await codeOf(emails.sendKeyLetter(acme.id, noMail.keyId))).toBe('BAD_USER_INPUT:keyId');
  });

  it('Notifications lists a key’s e-mails for its vendor only', async () => {
    const emails = bed.first.get(EmailService);
    const notifications = bed.first.get(NotificationService);
    const key = await bed.cabinetKey(acme, 'list@client.test');
    await emails.sendKeyLetter(acme.id, key.keyId);
    const listed = await notifications.list(acme.id, key.code.toLowerCase().replace(/-/g, ''));
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ keyCode: key.code, recipient: 'list@client.test', message: 'KEY_LETTER' });
    const other = await bed.vendor('Third Vendor', 'THRD');
    expect(await codeOf(notifications.list(other.id, key.code))).toBe('NOT_FOUND:keyCode');
    expect((await notifications.list(other.id, null)).length).toBe(0);
    expect(await codeOf(notifications.list(acme.id, 'not a key'))).toBe('BAD_USER_INPUT:keyCode');
    expect(await codeOf(notifications.list(acme.id, null, 0))).toBe('BAD_USER_INPUT:first');
  });

  it('redelivery sends nothing twice', async () => {
    const event = registration(acme, 'twice@client.test');
    expect(await bed.first.deliver(event)).toBe(true);
    expect(await bed.first.deliver(event)).toBe(false);
    await eventually(() => smtp.to('twice@client.test').length === 1, { what: 'one letter' });
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.to('twice@client.test')).toHaveLength(1);
  });

  it('a recipient the server refuses is retried, then recorded FAILED with its error', async () => {
    smtp.refuse.add('nobody@client.test');
    const event = registration(acme, 'nobody@client.test');
    await bed.first.deliver(event);
    const failed = await eventually(
      async () =>
        (
          await bed.first.dataSource.query<{ status: string; attempts: number; last_error: string }[]>(
            `SELECT status, attempts, last_error FROM emails WHERE caused_by_event_id = $1 AND status = 'FAILED'`,
            [event.id],
          )
        )[0],
      { what: 'FAILED' },
    );
    expect(failed.attempts).toBe(3);
    expect(failed.last_error).toMatch(/^SMTP 550/);
    expect(smtp.to('nobody@client.test')).toHaveLength(0);
  });
});

describe('e-mails while SMTP is down, and with two instances', () => {
  it('nothing is lost while the SMTP server is down: delivered once when it is back', async () => {
    const smtp = await SmtpReceiver.reserve(); // not listening: down
    const bed = await NotificationsTestbed.start('notifications-smtp-down', {
      SMTP_PORT: String(smtp.port),
      MAIL_MAX_ATTEMPTS: '2',
    });
    try {
      const acme = await bed.vendor('Acme Software', 'ACME');
      const events = Array.from({ length: 5 }, (_, i) => registration(acme, `down${i}@client.test`));
      for (const e of events) await bed.first.deliver(e);
      // Several attempts fail while it is down; none is given up although MAIL_MAX_ATTEMPTS is 2.
      await eventually(async () => (await bed.emails()).every((e) => e.attempts >= 3), {
        what: 'three attempts each',
      });
      const down = await bed.emails();
      expect(down.every((e) => e.status === 'PENDING' || e.status === 'SENDING')).toBe(true);
      expect(down.some((e) => /ECONNECTION|ECONNREFUSED/.test(e.last_error ?? ''))).toBe(true);
      await smtp.listen();
      await eventually(async () => (await bed.emails()).every((e) => e.status === 'SENT'), {
        what: 'all SENT',
        timeoutMs: 15_000,
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(smtp.mails).toHaveLength(5);
      expect(new Set(smtp.mails.map((m) => m.to && !Array.isArray(m.to) && m.to.text)).size).toBe(5);
    } finally {
      await bed.close();
      await smtp.close();
    }
  });

  it('two instances, each handling every event and both sending: each letter once', async () => {
    const smtp = await SmtpReceiver.start();
    const env = { SMTP_PORT: String(smtp.port), MAIL_POLL_MS: '10', MAIL_CONCURRENCY: '3' };
    const bed = await NotificationsTestbed.start('notifications-two', env);
    try {
      // Separate consumer names, so the processed-event record does not shield the claim: only the unique row does.
      const a = await bed.instance(env, 'instance-a');
      const b = await bed.instance(env, 'instance-b');
      const acme = await bed.vendor('Acme Software', 'ACME');
      const events = Array.from({ length: 40 }, (_, i) => registration(acme, `pair${i}@client.test`));
      await Promise.all(events.flatMap((e) => [a.deliver(e), b.deliver(e), a.deliver(e)]));
      await eventually(async () => (await bed.emails()).filter((e) => e.status === 'SENT').length === 40, {
        what: '40 SENT',
        timeoutMs: 20_000,
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(await bed.emails()).toHaveLength(40);
      expect(smtp.mails).toHaveLength(40);
      const notified = await bed.first.dataSource.query<{ n: string }[]>(
        `SELECT count(*) AS n FROM outbox WHERE event_type = 'notification.sent'`,
      );
      expect(Number(notified[0]!.n)).toBe(40);
    } finally {
      await bed.close();
      await smtp.close();
    }
  });
});
