import { Webhook } from 'standardwebhooks';
import { newWebhookSecret } from './secret-box';
import { signingKey, webhookSignature } from './webhook-signature';

describe('webhook signatures', () => {
  it('are what the standardwebhooks package signs, and verify with its verifier', () => {
    for (let i = 0; i < 20; i++) {
      const secret = newWebhookSecret();
      const id = crypto.randomUUID();
      const at = new Date(Date.now() - i * 61_000);
      const seconds = Math.floor(at.getTime() / 1000);
      const body = JSON.stringify({ id, n: i, text: 'Лицензия ✓'.repeat(i) });
      const signature = webhookSignature(signingKey(secret), id, seconds, body);
      expect(signature).toBe(new Webhook(secret).sign(id, at, body));
      if (i === 0) {
        const headers = { 'webhook-id': id, 'webhook-timestamp': String(seconds), 'webhook-signature': signature };
        expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
        expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
      }
    }
  });
});
