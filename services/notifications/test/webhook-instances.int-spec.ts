import { eventually } from '@licensing/testing';
import { WebhookService } from '../src/webhook/webhook.service';
import { HttpReceiver } from './http-receiver';
import { NotificationsTestbed, productEvent } from './notifications-testbed';

/**
 * Delivery workers on several instances: an endpoint's deliveries are sent by the instance
 * holding it, so the per-endpoint bound holds across instances, and an instance that stops
 * lets go of its endpoints for the others.
 */
describe('webhook delivery workers on two instances', () => {
  it('deliver everything once, never more than WEBHOOK_ENDPOINT_CONCURRENCY at once per endpoint, and take over from one that stops', async () => {
    const env = { MAIL_POLL_MS: '0', WEBHOOK_TIMEOUT_MS: '10000' };
    // Each receiver answers its first 8 at once, then holds every answer until the gate opens:
    // the first instance is stuck mid-way (4 in flight per endpoint) while the second starts.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const receivers = await Promise.all([HttpReceiver.start(), HttpReceiver.start(), HttpReceiver.start()]);
    for (const rx of receivers) rx.answer = (_r, i) => ({ status: 204, delayMs: 20, after: i < 8 ? undefined : gate });
    const bed = await NotificationsTestbed.start('notifications-webhook-instances', env);
    try {
      const hooks = bed.first.get(WebhookService);
      const acme = await bed.vendor('Acme Software', 'ACME');
      for (const rx of receivers) await hooks.create(acme.id, { url: rx.url });
      const events = Array.from({ length: 60 }, () => productEvent(acme));
      for (const e of events) await bed.first.deliver(e);

      // The first instance is sending and stuck at the gate; a second one starts, then the
      // first stops: it lets its POSTs finish (the gate opens), records them and lets go.
      await eventually(() => receivers.every((rx) => rx.received.length >= 12), { what: 'the first deliveries' });
      await bed.instance(env);
      const atStop = receivers.map((rx) => rx.received.length);
      const first = bed.instances.shift()!;
      const closing = first.close();
      open();
      await closing;
      expect(Math.max(...atStop)).toBe(12);

      await eventually(() => receivers.every((rx) => rx.received.length >= events.length), {
        what: 'every delivery after the takeover',
        timeoutMs: 20_000,
      });
      await new Promise((r) => setTimeout(r, 500));
      for (const rx of receivers) {
        expect(rx.ids().sort()).toEqual(events.map((e) => e.id).sort());
        expect(rx.maxInFlight).toBeLessThanOrEqual(4);
        expect(rx.maxInFlight).toBeGreaterThan(1);
      }
      const second = bed.first.get(WebhookService);
      for (const endpoint of await second.list(acme.id)) {
        const deliveries = await second.deliveries(acme.id, endpoint.id, 200);
        expect(deliveries).toHaveLength(events.length);
        expect(deliveries.every((d) => d.status === 'DELIVERED' && d.attempts === 1)).toBe(true);
      }
    } finally {
      await bed.close();
      await Promise.all(receivers.map((rx) => rx.close()));
    }
  }, 60_000);
});
