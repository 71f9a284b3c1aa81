import { eventually } from '@licensing/testing';
import { WebhookService } from '../src/webhook/webhook.service';
import { HttpReceiver } from './http-receiver';
import { NotificationsTestbed, productEvent, Vendor } from './notifications-testbed';

/**
 * A receiver that was down and is back: its deliveries waiting for a retry (scheduled 30–60 s
 * ahead here, as in production's first retry) are pulled forward by a successful delivery to
 * the same endpoint, a few at a time, instead of waiting for their scheduled attempts.
 */
describe('webhook backlog after a receiver comes back', () => {
  const slowRetries = {
    MAIL_POLL_MS: '0',
    WEBHOOK_RETRY_BASE_MS: '60000',
    WEBHOOK_RETRY_CAP_MS: '600000',
    WEBHOOK_MAX_ATTEMPTS: '1000',
  };

  async function waitingRetries(hooks: WebhookService, vendor: Vendor, endpointId: string, count: number) {
    return eventually(
      async () => {
        const ds = await hooks.deliveries(vendor.id, endpointId, 200);
        const waiting = ds.filter(
          (d) => d.status === 'PENDING' && d.attempts === 1 && d.nextAttemptAt!.getTime() > Date.now() + 20_000,
        );
        if (waiting.length === count) return ds;
        throw new Error(
          `${waiting.length} of ${count} waiting: ${JSON.stringify(ds.map((d) => [d.status, d.attempts]))}`,
        );
      },
      { what: `${count} deliveries waiting for a retry` },
    );
  }

  it('a success pulls the endpoint’s waiting retries forward: all arrive within seconds, once each; another endpoint’s wait', async () => {
    const back = await HttpReceiver.reserve();
    const stillDown = await HttpReceiver.reserve();
    const bed = await NotificationsTestbed.start('notifications-webhook-backlog', slowRetries);
    try {
      const hooks = bed.first.get(WebhookService);
      const acme = await bed.vendor('Acme Software', 'ACME');
      const eBack = await hooks.create(acme.id, { url: back.url });
      const eStill = await hooks.create(acme.id, { url: stillDown.url });
      const events = Array.from({ length: 12 }, () => productEvent(acme));
      for (const e of events) await bed.first.deliver(e);
      await waitingRetries(hooks, acme, eBack.id, 12);
      await waitingRetries(hooks, acme, eStill.id, 12);

      await back.listen();
      // Nothing is due for half a minute: back gets nothing by itself yet.
      await new Promise((r) => setTimeout(r, 500));
      expect(back.received).toHaveLength(0);
      // A new event is delivered at once, and its success brings the waiting ones.
      const fresh = productEvent(acme);
      await bed.first.deliver(fresh);
      await eventually(() => back.received.length >= 13, { what: 'the backlog delivered', timeoutMs: 10_000 });
      await new Promise((r) => setTimeout(r, 300));
      expect(back.ids().sort()).toEqual([...events, fresh].map((e) => e.id).sort());
      const delivered = await hooks.deliveries(acme.id, eBack.id, 200);
      expect(delivered.every((d) => d.status === 'DELIVERED')).toBe(true);
      const pulled = delivered.filter((d) => d.eventId !== fresh.id);
      expect(pulled.map((d) => d.attempts)).toEqual(pulled.map(() => 2));
      expect(pulled[0]!.log.map((a) => a.statusCode)).toEqual([null, 200]);

      // The other endpoint is still down: its retries keep their schedule (one more attempt
      // at the fresh event, nothing pulled).
      const still = await hooks.deliveries(acme.id, eStill.id, 200);
      expect(still).toHaveLength(13);
      expect(still.every((d) => d.status === 'PENDING' && d.attempts === 1)).toBe(true);
      expect(still.every((d) => d.nextAttemptAt!.getTime() > Date.now() + 15_000)).toBe(true);
      expect(stillDown.received).toHaveLength(0);
    } finally {
      await bed.close();
      await Promise.all([back.close(), stillDown.close()]);
    }
  });

  it('one success pulls at most WEBHOOK_ENDPOINT_CONCURRENCY of them: a receiver failing again costs no more early attempts', async () => {
    const flaky = await HttpReceiver.reserve();
    const bed = await NotificationsTestbed.start('notifications-webhook-flaky', {
      ...slowRetries,
      WEBHOOK_ENDPOINT_CONCURRENCY: '2',
    });
    try {
      const hooks = bed.first.get(WebhookService);
      const acme = await bed.vendor('Acme Software', 'ACME');
      const endpoint = await hooks.create(acme.id, { url: flaky.url });
      for (let i = 0; i < 10; i++) await bed.first.deliver(productEvent(acme));
      await waitingRetries(hooks, acme, endpoint.id, 10);

      // Back for one answer, then failing again.
      flaky.answer = (_r, i) => ({ status: i === 0 ? 200 : 503 });
      await flaky.listen();
      await bed.first.deliver(productEvent(acme));
      await eventually(() => flaky.received.length >= 3, { what: 'the success and the two it pulled' });
      await new Promise((r) => setTimeout(r, 1_000));
      expect(flaky.received).toHaveLength(3);
      const ds = await hooks.deliveries(acme.id, endpoint.id, 200);
      expect(ds.filter((d) => d.status === 'DELIVERED')).toHaveLength(1);
      const retried = ds.filter((d) => d.attempts === 2);
      expect(retried).toHaveLength(2);
      expect(retried.map((d) => d.lastStatusCode)).toEqual([503, 503]);
      expect(ds.filter((d) => d.status === 'PENDING' && d.attempts === 1)).toHaveLength(8);
    } finally {
      await bed.close();
      await flaky.close();
    }
  });
});
