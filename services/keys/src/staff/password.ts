import argon2 from 'argon2';

/**
 * Staff passwords: argon2id with the library's defaults (64 MiB, 3 passes), a random salt
 * per password, encoded with its parameters so they can be raised later.
 */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let decoy: Promise<string> | undefined;

/** A hash to verify against when the e-mail is unknown, so both answers take the same time. */
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword('decoy password that matches nothing');
  return decoy;
}
