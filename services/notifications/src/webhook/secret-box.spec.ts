import { randomBytes } from 'node:crypto';
import { newWebhookSecret, Sealer, sealingKey } from './secret-box';

describe('sealed webhook secrets', () => {
  const sealer = new Sealer(randomBytes(32));

  it('seals so that only the same key opens, and never shows the secret', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const sealed = sealer.seal(secret);
    expect(sealed).not.toContain(secret.slice(6));
    expect(sealer.seal(secret)).not.toBe(sealed); // a fresh IV each time
    expect(sealer.open(sealed)).toBe(secret);
    expect(() => new Sealer(randomBytes(32)).open(sealed)).toThrow();
  });

  it('refuses a tampered secret', () => {
    const sealed = sealer.seal(newWebhookSecret());
    const parts = sealed.split('.');
    const data = Buffer.from(parts[3]!, 'base64url');
    data[0] = data[0]! ^ 1;
    parts[3] = data.toString('base64url');
    expect(() => sealer.open(parts.join('.'))).toThrow();
  });

  it('uses WEBHOOK_SECRET_KEY when set, else a key derived from the identity secret', () => {
    const key = randomBytes(32);
    expect(sealingKey({ WEBHOOK_SECRET_KEY: key.toString('base64'), IDENTITY_SIGNING_SECRET: 'x'.repeat(32) })).toEqual(
      key,
    );
    const derived = sealingKey({ WEBHOOK_SECRET_KEY: '', IDENTITY_SIGNING_SECRET: 'x'.repeat(32) });
    expect(derived).toHaveLength(32);
    expect(sealingKey({ WEBHOOK_SECRET_KEY: '', IDENTITY_SIGNING_SECRET: 'y'.repeat(32) })).not.toEqual(derived);
  });
});
