import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectNotificationsConfig, NotificationsConfig } from '../config';

/** A new endpoint secret in the Standard Webhooks form: `whsec_` and 24 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** The sealing key: WEBHOOK_SECRET_KEY, or (outside production) one derived from the identity secret. */
export function sealingKey(
  config: Pick<NotificationsConfig, 'WEBHOOK_SECRET_KEY' | 'IDENTITY_SIGNING_SECRET'>,
): Buffer {
  if (config.WEBHOOK_SECRET_KEY) return Buffer.from(config.WEBHOOK_SECRET_KEY, 'base64');
  return Buffer.from(
    hkdfSync('sha256', config.IDENTITY_SIGNING_SECRET, 'licensing-notifications', 'webhook-secrets', 32),
  );
}

/** Seals and opens endpoint secrets with AES-256-GCM: `v1.<iv>.<tag>.<ciphertext>` in base64url. */
export class Sealer {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the sealing key must be 32 bytes');
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), sealed]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** The service's Sealer, keyed from its configuration. */
@Injectable()
export class SecretBox extends Sealer {
  constructor(@InjectNotificationsConfig() config: NotificationsConfig) {
    super(sealingKey(config));
  }
}
