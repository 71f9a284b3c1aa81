import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { DEVELOPMENT_KEK, KeyCipher, kekId, parseKeyEncryptionKey, SealedKeyError } from './key-cipher';

describe('KeyCipher (signing keys sealed at rest)', () => {
  const kek = randomBytes(32);
  const cipher = new KeyCipher(kek);
  const der = generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' });
  const context = 'signing-key:vendor-a:kid-1';

  it('opens what it sealed, and the sealed text holds nothing of the key', () => {
    const sealed = cipher.seal(der, context);
    expect(cipher.open(sealed, context).equals(der)).toBe(true);
    expect(sealed).toMatch(/^v1\.[\w-]{11}\.[\w-]{16}\.[\w-]+$/);
    expect(Buffer.from(sealed).includes(der.subarray(16))).toBe(false);
    expect(sealed).not.toContain(der.toString('base64url').slice(20, 40));
    // A new IV each time: the same key never seals to the same text.
    expect(cipher.seal(der, context)).not.toBe(sealed);
  });

  it('refuses another row (the additional data), a changed byte, and another KEK, each by name', () => {
    const sealed = cipher.seal(der, context);
    expect(() => cipher.open(sealed, 'signing-key:vendor-b:kid-1')).toThrow(SealedKeyError);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[5] = body[5]! ^ 1;
    const tampered = [parts[0], parts[1], parts[2], body.toString('base64url')].join('.');
    expect(() => cipher.open(tampered, context)).toThrow(/changed or belongs to another row/);
    expect(() => new KeyCipher(randomBytes(32)).open(sealed, context)).toThrow(/another SIGNING_KEY_ENCRYPTION_KEY/);
    expect(() => cipher.open('v1.x.y', context)).toThrow(/v1 format/);
  });

  it('reads a KEK from base64 (standard or url-safe) of exactly 32 bytes and says what is wrong otherwise', () => {
    expect(parseKeyEncryptionKey(kek.toString('base64'))).toEqual(kek);
    expect(parseKeyEncryptionKey(kek.toString('base64url'))).toEqual(kek);
    expect(parseKeyEncryptionKey(randomBytes(16).toString('base64'))).toEqual({
      problem: 'must be 32 bytes of base64 (it is 16)',
    });
    expect(parseKeyEncryptionKey('not base64 at all!')).toEqual({ problem: 'is not base64' });
  });

  it('names a KEK by an id that reveals nothing of it', () => {
    expect(kekId(kek)).toHaveLength(11);
    expect(kekId(kek)).toBe(new KeyCipher(kek).kekId);
    expect(kekId(kek)).not.toBe(kekId(DEVELOPMENT_KEK));
    expect(kek.toString('base64url')).not.toContain(kekId(kek));
  });
});
