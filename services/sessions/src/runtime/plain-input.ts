import { HostInput } from '@licensing/platform';
import { CheckLicenseInput } from '../checks/dto/check-license.input';
import { AcquireLicenseInput, SessionInput } from '../sessions/dto/acquire-license.input';

/*
 * The runtime's fast reading of bodies that are plainly valid. class-validator and
 * class-transformer (runtime.input.ts, validInput) stay the authority: they decide every body
 * these functions do not take, and they word every refusal. These take only what those rules
 * surely accept and build the same instance from it, in a fraction of the time (input
 * validation was 15% of an acquire). plain-input.spec.ts generates bodies and checks that
 * whatever is taken here is accepted there, with the same values.
 *
 * "Surely accepted" is narrow on purpose: strings without UTF-16 surrogates or variation
 * selectors (so their length is the length class-validator counts), no unknown fields, and
 * nothing but strings, null or absence where text is expected.
 */

type Body = Record<string, unknown>;
/** Text whose UTF-16 length is the length class-validator's (validator.js isLength) counts. */
const COUNTED_AS_IS = /^[^\uD800-\uDFFF\uFE0E\uFE0F]*$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,100}$/;
/** The OptionalText fields of HostInput and SessionInput, with their maximum lengths. */
const HOST_TEXTS = { name: 256, os: 256, ip: 64, platformVersion: 64 };
const SESSION_TEXTS = { infobase: 256, user: 256, processId: 64 };
const CHECK_FIELDS = new Set(['keyCode', 'productCode']);
const ACQUIRE_FIELDS = new Set([...CHECK_FIELDS, 'host', 'session', 'idempotencyKey']);
const HOST_FIELDS = new Set(['fingerprint', ...Object.keys(HOST_TEXTS)]);
const SESSION_FIELDS = new Set(Object.keys(SESSION_TEXTS));

/** Marks a body that only class-validator may decide. */
class NotPlain extends Error {}
const notPlain = new NotPlain();

/** The body as an object with none but `allowed` fields. */
function fieldsOf(value: unknown, allowed: ReadonlySet<string>): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw notPlain;
  for (const name in value) if (!allowed.has(name)) throw notPlain;
  return value as Body;
}

/** IsString + MaxLength(max), no transform. */
function rawText(value: unknown, max: number): string {
  if (typeof value !== 'string' || value.length > max || !COUNTED_AS_IS.test(value)) throw notPlain;
  return value;
}

/** Text(min, max): trimmed, then IsString + Length(min, max). */
function text(value: unknown, min: number, max: number): string {
  if (typeof value !== 'string' || !COUNTED_AS_IS.test(value)) throw notPlain;
  const trimmed = value.trim();
  if (trimmed.length < min || trimmed.length > max) throw notPlain;
  return trimmed;
}

/**
 * OptionalText(max) for each of `limits` onto `target`: absent stays absent, null stays null,
 * blank becomes null, else trimmed and at most max long.
 */
function setOptionalTexts<T extends object>(target: T, body: Body, limits: Record<string, number>): T {
  for (const [name, max] of Object.entries(limits)) {
    if (!(name in body)) continue;
    const value = body[name];
    if (value !== undefined && value !== null) {
      if (typeof value !== 'string' || !COUNTED_AS_IS.test(value)) throw notPlain;
      const trimmed = value.trim();
      if (trimmed.length > max) throw notPlain;
      (target as Body)[name] = trimmed || null;
    } else (target as Body)[name] = value;
  }
  return target;
}

/** keyCode and productCode, as both inputs declare them. */
function setKeyAndProduct(target: { keyCode: string; productCode: string }, body: Body): void {
  target.keyCode = rawText(body['keyCode'], 100);
  target.productCode = text(body['productCode'], 1, 40);
}

function read<T>(build: () => T): T | undefined {
  try {
    return build();
  } catch (error) {
    if (error === notPlain) return undefined;
    throw error;
  }
}

/** A check body read without class-validator, or undefined when validInput must decide. */
export function plainCheckInput(body: Body): CheckLicenseInput | undefined {
  return read(() => {
    const input = new CheckLicenseInput();
    setKeyAndProduct(input, fieldsOf(body, CHECK_FIELDS));
    return input;
  });
}

/** An acquire body read without class-validator, or undefined when validInput must decide. */
export function plainAcquireInput(body: Body): AcquireLicenseInput | undefined {
  return read(() => {
    const input = new AcquireLicenseInput();
    setKeyAndProduct(input, fieldsOf(body, ACQUIRE_FIELDS));

    const hostBody = fieldsOf(body['host'], HOST_FIELDS);
    const host = new HostInput();
    host.fingerprint = text(hostBody['fingerprint'], 1, 256);
    input.host = setOptionalTexts(host, hostBody, HOST_TEXTS);

    if ('session' in body) {
      const session = body['session'];
      input.session =
        session === undefined || session === null
          ? session
          : setOptionalTexts(new SessionInput(), fieldsOf(session, SESSION_FIELDS), SESSION_TEXTS);
    }

    if ('idempotencyKey' in body) {
      const key = body['idempotencyKey'];
      if (key !== undefined && key !== null && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
        throw notPlain;
      }
      input.idempotencyKey = key as string | null | undefined;
    }
    return input;
  });
}
