import { randomBytes } from 'node:crypto';

/**
 * License keys and coupon codes.
 *
 *   key     PPPP-XXXXX-XXXXX-XXXXX-XXXXX      (vendor prefix, four groups of five)
 *   coupon  PPPPUPD-XXXXX-XXXXX-XXXXX-XXXXX   (vendor prefix + UPD, four groups of five)
 *
 * The twenty characters after the prefix come from Crockford's base-32 alphabet: the digits
 * and the Latin letters without I, L, O (they read as 1, 1, 0) and U. Each character carries
 * five random bits from the operating system's CSPRNG, so a code has exactly 100 random
 * bits: guessing one among a billion issued keys takes about 2^70 tries.
 *
 * There is no check character: with twenty characters from a 32-symbol alphabet every one
 * of them is needed for 100 bits (a check character would leave 95). What the parser does
 * instead is tolerate what people do when they type a code: any case, stray spaces, missing
 * or extra dashes, and the look-alikes I, L (read as 1) and O (read as 0). Input that still
 * is not a well-formed code is told apart from a well-formed code that nobody issued.
 */
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_GROUPS = 4;
export const CODE_GROUP_LENGTH = 5;
export const CODE_RANDOM_BITS = CODE_GROUPS * CODE_GROUP_LENGTH * 5;
export const COUPON_MARK = 'UPD';

const BODY_LENGTH = CODE_GROUPS * CODE_GROUP_LENGTH;
const LOOK_ALIKES: Record<string, string> = { I: '1', L: '1', O: '0' };
const PREFIX = /^[A-Z]{4}$/;

export type CodeKind = 'key' | 'coupon';

function format(head: string, body: string): string {
  const groups: string[] = [];
  for (let i = 0; i < BODY_LENGTH; i += CODE_GROUP_LENGTH) groups.push(body.slice(i, i + CODE_GROUP_LENGTH));
  return [head, ...groups].join('-');
}

function head(kind: CodeKind, prefix: string): string {
  if (!PREFIX.test(prefix)) throw new Error(`a vendor prefix is four upper-case Latin letters, not ${prefix}`);
  return kind === 'coupon' ? `${prefix}${COUPON_MARK}` : prefix;
}

/** A new random code of the vendor. `random` is for tests; it must return uniform bytes. */
export function generateCode(kind: CodeKind, prefix: string, random: (size: number) => Buffer = randomBytes): string {
  const bytes = random(BODY_LENGTH);
  let body = '';
  // 256 is a multiple of 32, so the low five bits of a uniform byte are uniform.
  for (let i = 0; i < BODY_LENGTH; i++) body += CODE_ALPHABET[bytes[i]! & 31];
  return format(head(kind, prefix), body);
}

export interface ParsedCode {
  kind: CodeKind;
  prefix: string;
  /** The canonical form, as issued: upper case, with dashes. */
  code: string;
}

/**
 * Reads a code as a person typed it. Returns undefined when the input cannot be any code
 * (wrong length, a character outside the alphabet), so the caller can say "mistyped"
 * rather than "unknown".
 */
export function parseCode(input: string): ParsedCode | undefined {
  const compact = input.toUpperCase().replace(/[\s\-\u2010-\u2015_]+/g, '');
  const kind: CodeKind | undefined =
    compact.length === 4 + BODY_LENGTH ? 'key' : compact.length === 7 + BODY_LENGTH ? 'coupon' : undefined;
  if (!kind) return undefined;
  const prefix = compact.slice(0, 4);
  if (!PREFIX.test(prefix)) return undefined;
  if (kind === 'coupon' && compact.slice(4, 7) !== COUPON_MARK) return undefined;
  let body = '';
  for (const ch of compact.slice(kind === 'coupon' ? 7 : 4)) {
    const c = LOOK_ALIKES[ch] ?? ch;
    if (!CODE_ALPHABET.includes(c)) return undefined;
    body += c;
  }
  return { kind, prefix, code: format(head(kind, prefix), body) };
}

/** The canonical license key of the input, or undefined when it is not a well-formed key. */
export function normalizeKeyCode(input: string): string | undefined {
  const parsed = parseCode(input);
  return parsed?.kind === 'key' ? parsed.code : undefined;
}

/** The canonical coupon code of the input, or undefined when it is not a well-formed coupon. */
export function normalizeCouponCode(input: string): string | undefined {
  const parsed = parseCode(input);
  return parsed?.kind === 'coupon' ? parsed.code : undefined;
}
