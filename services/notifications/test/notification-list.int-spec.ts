import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Producer } from 'kafkajs';
import {
  ALL_TOPICS,
  createEvent,
  EventEnvelope,
  KeyCreated,
  KeyRegistered,
  ProductUpdated,
  Topics,
  VendorCreated,
} from '@licensing/events';
import { DomainError } from '@licensing/graphql';
import { ensureTopics, KafkaSettings, topicName } from '@licensing/kafka';
import { eventually, testInfrastructure, uniqueTopicPrefix } from '@licensing/testing';
import { generateCode } from '@licensing/domain';
import { Notification } from '../src/email/email.types';
import { NotificationService } from '../src/notification/notification.service';
import { WebhookService } from '../src/webhook/webhook.service';
import { HttpReceiver } from './http-receiver';
import { NotificationsTestbed } from './notifications-testbed';
import { SmtpReceiver } from './smtp-receiver';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error instanceof DomainError ? `${error.code}${error.field ? `:${error.field}` : ''}` : String(error);
  }
}

interface TestVendor {
  id: string;
  prefix: string;
}

/** A registration as the keys service publishes it: key.created, then key.registered. */
function registration(vendor: TestVendor, email: string) {
  const keyId = randomUUID();
  const code = generateCode('key', vendor.prefix);
  const created = createEvent(KeyCreated, {
    vendorId: vendor.id,
    subject: keyId,
    data: {
      keyId,
      code,
      clientId: randomUUID(),
      company: 'Client Ltd',
      contactName: 'Ann',
      email,
      origin: 'REGISTRATION',
    },
  });
  const registered = createEvent(KeyRegistered, {
    vendorId: vendor.id,
    subject: keyId,
    data: {
      keyId,
      code,
      productCode: 'PBX',
      company: 'Client Ltd',
      contactName: 'Ann',
      email,
      hostFingerprint: 'host-1',
      trialExpiresAt: '2026-12-30T10:00:00.000Z',
    },
  });
  return { keyId, code, events: [created, registered] };
}

/**
 * Notifications(keyCode) through the service's real consumers: events published to Kafka, the
 * main group keeps the read model and claims e-mails (sent to an SMTP server in this process),
 * the webhook group fans them out to HTTP receivers on loopback; the list shows both, for the
 * key's vendor only.
 */
describe('Notifications: e-mails and webhook deliveries of a key, from Kafka', () => {
  let smtp: SmtpReceiver;
  let bed: NotificationsTestbed;
  let producer: Producer;
  let kafka: KafkaSettings;
  const acme: TestVendor = { id: randomUUID(), prefix: 'ACME' };
  const globex: TestVendor = { id: randomUUID(), prefix: 'GLBX' };

  const publish = (events: EventEnvelope<object>[]) =>
    producer.send({
      topic: topicName(kafka, Topics.keys),
      acks: -1,
      messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })),
    });

  beforeAll(async () => {
    const { kafkaBrokers } = await testInfrastructure();
    kafka = {
      brokers: kafkaBrokers,
      clientId: 'notifications-list-test',
      topicPrefix: uniqueTopicPrefix('notif-list'),
    };
    await ensureTopics(kafka, ALL_TOPICS);
    producer = new Kafka({
      clientId: 'notifications-list-test',
      brokers: kafkaBrokers,
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
    smtp = await SmtpReceiver.start();
    bed = await NotificationsTestbed.start('notifications-list', { SMTP_PORT: String(smtp.port) }, kafka);
    const vendors = [
      createEvent(VendorCreated, {
        vendorId: acme.id,
        subject: acme.id,
        data: { vendorId: acme.id, prefix: acme.prefix, name: 'Acme Software' },
      }),
      createEvent(VendorCreated, {
        vendorId: globex.id,
        subject: globex.id,
        data: { vendorId: globex.id, prefix: globex.prefix, name: 'Globex' },
      }),
    ];
    await publish(vendors);
    // Both groups have seen them before any endpoint exists (so no endpoint gets vendor.created).
    await eventually(
      async () => {
        const [{ n }] = await bed.first.dataSource.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM processed_events WHERE event_id = ANY($1)`,
          [vendors.map((v) => v.id)],
        );
        return n === 4;
      },
      { what: 'the vendors consumed by both groups', timeoutMs: 30_000 },
    );
  }, 60_000);

  afterAll(async () => {
    await bed?.close();
    await smtp?.close();
    await producer?.disconnect();
  });

  it('lists the key’s e-mail and its webhook deliveries, never another vendor’s', async () => {
    const rxAcme = await HttpReceiver.start();
    const rxGlobex = await HttpReceiver.start();
    const hooks = bed.first.get(WebhookService);
    const notifications = bed.first.get(NotificationService);
    try {
      const eAcme = await hooks.create(acme.id, { url: rxAcme.url });
      const eGlobex = await hooks.create(globex.id, { url: rxGlobex.url });
      const mine = registration(acme, 'ann@acme-client.test');
      const theirs = registration(globex, 'bob@globex-client.test');
      const productId = randomUUID();
      const keyless = createEvent(ProductUpdated, {
        vendorId: acme.id,
        subject: productId,
        data: {
          productId,
          code: 'PBX',
          name: 'PBX',
          licenseModel: 'HOST_BINDING',
          trialDays: 30,
          requiresProductCode: null,
        },
      });
      await publish([...mine.events, ...theirs.events, keyless]);
      await hooks.ping(acme.id, eAcme.id);

      await smtp.waitFor('ann@acme-client.test');
      await eventually(() => rxAcme.received.length === 4 && rxGlobex.received.length === 2, {
        what: 'the deliveries',
        timeoutMs: 20_000,
      });
      // Each vendor's receiver got its own vendor's events only.
      expect(rxAcme.ids()).toEqual(expect.arrayContaining([...mine.events, keyless].map((e) => e.id)));
      expect(rxGlobex.ids().sort()).toEqual(theirs.events.map((e) => e.id).sort());

      const listed = await eventually(
        async () => {
          const rows = await notifications.list(acme.id, mine.code.toLowerCase(), 10);
          return rows.length === 3 && rows.every((r) => r.status === 'SENT') && rows;
        },
        { what: 'the e-mail and two deliveries listed as SENT', timeoutMs: 20_000 },
      );
      const byChannel = (channel: string, type: string) =>
        listed.find((n: Notification) => n.channel === channel && n.type === type);
      expect(byChannel('EMAIL', 'key.registered')).toMatchObject({
        recipient: 'ann@acme-client.test',
        message: 'KEY_LETTER',
        keyCode: mine.code,
        eventId: mine.events[1]!.id,
        endpointId: null,
      });
      for (const event of mine.events)
        expect(byChannel('WEBHOOK', event.type)).toMatchObject({
          recipient: rxAcme.url,
          endpointId: eAcme.id,
          eventId: event.id,
          keyCode: mine.code,
          message: null,
          subject: null,
          attempts: 1,
          lastError: null,
        });
      // The webhook delivery's id is the delivery in WebhookDeliveries; sentAt is its 2xx.
      const delivery = (await hooks.deliveries(acme.id, eAcme.id)).find((d) => d.eventId === mine.events[0]!.id)!;
      expect(byChannel('WEBHOOK', 'key.created')).toMatchObject({ id: delivery.id, sentAt: delivery.deliveredAt });
      // Newest first.
      const times = listed.map((n) => n.createdAt.getTime());
      expect([...times].sort((a, b) => b - a)).toEqual(times);

      // Without a key: the vendor's own e-mails and event deliveries (the key-less product.updated too), no ping,
      // nothing of the other vendor; key codes are named from the read model.
      const all = await notifications.list(acme.id, null, 50);
      expect(all.map((n) => n.eventId).sort()).toEqual(
        [mine.events[1]!.id, ...[...mine.events, keyless].map((e) => e.id)].sort(),
      );
      expect(
        all.filter((n) => n.channel === 'WEBHOOK' && n.type !== keyless.type).every((n) => n.keyCode === mine.code),
      ).toBe(true);
      expect(all.find((n) => n.type === keyless.type)).toMatchObject({ keyCode: null, recipient: rxAcme.url });
      expect(all.some((n) => n.type === 'webhook.ping')).toBe(false);
      expect(all.some((n) => n.recipient === rxGlobex.url || n.recipient === 'bob@globex-client.test')).toBe(false);
      expect((await notifications.list(acme.id, null, 2)).map((n) => n.id)).toEqual(all.slice(0, 2).map((n) => n.id));

      // Another vendor: the key is not found, and its own list has only its own.
      expect(await codeOf(notifications.list(globex.id, mine.code))).toBe('NOT_FOUND:keyCode');
      const theirList = await eventually(
        async () => {
          const rows = await notifications.list(globex.id, null, 50);
          return rows.length === 3 && rows;
        },
        { what: 'the other vendor’s three' },
      );
      expect(theirList.every((n) => n.recipient === rxGlobex.url || n.recipient === 'bob@globex-client.test')).toBe(
        true,
      );
      expect(theirList.some((n) => n.endpointId === eAcme.id)).toBe(false);
      for (const [vendor, endpoint] of [
        [acme, eAcme],
        [globex, eGlobex],
      ] as const)
        await hooks.delete(vendor.id, endpoint.id);
    } finally {
      await Promise.all([rxAcme.close(), rxGlobex.close()]);
    }
  }, 60_000);
});
