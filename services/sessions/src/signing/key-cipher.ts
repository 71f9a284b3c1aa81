import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/*
 * The private parts of the vendors' signing keys are stored sealed with AES-256-GCM under a
 * key-encryption key (KEK) from the environment (SIGNING_KEY_ENCRYPTION_KEY). A sealed value
 * reads `v1.<kek id>.<iv>.<ciphertext and tag>` (base64url parts): the KEK id says which KEK
 * sealed it, so a wrong key is named as such instead of failing as "unable to authenticate".
 * The additional data binds each ciphertext to its row (vendor and kid): a sealed key copied
 * into another vendor's row does not open.
 */

/** Bytes of the key-encryption key (AES-256). */
export const KEK_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

/**
 * The development KEK, used only when NODE_ENV is not production and none is configured. It
 * is derived from a published phrase: it protects nothing, and production refuses it.
 */
export const DEVELOPMENT_KEK: Buffer = createHash('sha256')
  .update('licensing platform: development signing-key encryption key, not a secret')
  .digest();

/** The KEK from its base64 text, or why it is not one. */
export function parseKeyEncryptionKey(text: string): Buffer | { problem: string } {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return { problem: 'is not base64' };
  const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== KEK_BYTES) return { problem: `must be ${KEK_BYTES} bytes of base64 (it is ${key.length})` };
  return key;
}

/** An id of a KEK that reveals nothing of it: the start of a hash of it. */
export function kekId(kek: Buffer): string {
  return createHash('sha256').update('signing-key-kek:').update(kek).digest('base64url').slice(0, 11);
}

/** Thrown when a sealed key cannot be opened: another KEK, another row, or tampered. */
export class SealedKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedKeyError';
  }
}

/** Seals and opens private keys under one KEK. */
export class KeyCipher {
  readonly kekId: string;

  constructor(private readonly kek: Buffer) {
    if (kek.length !== KEK_BYTES) throw new Error(`A key-encryption key is ${KEK_BYTES} bytes`);
    this.kekId = kekId(kek);
  }

  /** `plaintext` sealed for the row that `context` names. */
  seal(plaintext: Buffer, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.kek, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return [VERSION, this.kekId, iv.toString('base64url'), body.toString('base64url')].join('.');
  }

  /** The plaintext of a value sealed for `context`; SealedKeyError when it does not open. */
  open(sealed: string, context: string): Buffer {
    const [version, id, ivText, bodyText, ...rest] = sealed.split('.');
    if (version !== VERSION || !id || !ivText || !bodyText || rest.length > 0) {
      throw new SealedKeyError('The sealed signing key is not in the v1 format');
    }
    if (id !== this.kekId) {
      throw new SealedKeyError(
        `The signing key was sealed under another SIGNING_KEY_ENCRYPTION_KEY (id ${id}; configured: ${this.kekId})`,
      );
    }
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length <= TAG_BYTES)
      throw new SealedKeyError('The sealed signing key is cut short');
    const decipher = createDecipheriv('aes-256-gcm', this.kek, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new SealedKeyError('The sealed signing key does not open: it was changed or belongs to another row');
    }
  }
}
