import { randomBytes } from 'node:crypto';
import { validateEnv } from '@licensing/config';
import { SessionsConfig, signingKeyEncryptionKey } from '../config';
import { DEVELOPMENT_KEK } from './key-cipher';

describe('SIGNING_KEY_ENCRYPTION_KEY at boot', () => {
  const base = { IDENTITY_SIGNING_SECRET: 'x'.repeat(32) };
  const boot = (env: Record<string, string>) => validateEnv(SessionsConfig, { ...base, ...env });

  it('refuses to boot in production without it, or with the development key', () => {
    expect(() => boot({ NODE_ENV: 'production' })).toThrow(/SIGNING_KEY_ENCRYPTION_KEY is required in production/);
    expect(() =>
      boot({ NODE_ENV: 'production', SIGNING_KEY_ENCRYPTION_KEY: DEVELOPMENT_KEK.toString('base64') }),
    ).toThrow(/SIGNING_KEY_ENCRYPTION_KEY must not be the development key in production/);
  });

  it('refuses a key that is not base64 of 32 bytes, in any environment', () => {
    expect(() => boot({ SIGNING_KEY_ENCRYPTION_KEY: randomBytes(31).toString('base64') })).toThrow(
      /SIGNING_KEY_ENCRYPTION_KEY must be 32 bytes of base64 \(it is 31\)/,
    );
    expect(() => boot({ NODE_ENV: 'test', SIGNING_KEY_ENCRYPTION_KEY: 'pass word' })).toThrow(
      /SIGNING_KEY_ENCRYPTION_KEY is not base64/,
    );
  });

  it('uses the configured key, and the development key only outside production', () => {
    const kek = randomBytes(32);
    expect(
      signingKeyEncryptionKey(boot({ NODE_ENV: 'production', SIGNING_KEY_ENCRYPTION_KEY: kek.toString('base64') })),
    ).toEqual(kek);
    expect(signingKeyEncryptionKey(boot({ NODE_ENV: 'development' }))).toEqual(DEVELOPMENT_KEK);
  });
});
