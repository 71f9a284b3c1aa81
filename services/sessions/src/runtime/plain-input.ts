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
const ACQUIRE_FIELDS = new Set(['keyCode', 'productCode', 'host', 'session', 'idempotencyKey']);
const CHECK_FIELDS = new Set(['keyCode', 'productCode']);
const HOST_FIELDS = new Set(['fingerprint', 'name', 'os', 'ip', 'platformVersion']);
const SESSION_FIELDS = new Set(['infobase', 'user', 'processId']);

/** Marks a body that only class-validator may decide. */
class NotPlain extends Error {}
const notPlain = new NotPlain();

function onlyFields(body: Body, allowed: ReadonlySet<string>): void {
  for (const name in body) if (!allowed.has(name)) throw notPlain;
}

function object(value: unknown): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw notPlain;
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

/** OptionalText(max): absent stays absent, null stays null, blank becomes null, else trimmed ≤ max. */
function setOptionalText(target: Body, body: Body, name: string, max: number): void {
  if (!(name in body)) return;
  const value = body[name];
  if (value === undefined || value === null) {
    target[name] = value;
    return;
  }
  if (typeof value !== 'string' || !COUNTED_AS_IS.test(value)) throw notPlain;
  const trimmed = value.trim();
  if (trimmed.length > max) throw notPlain;
  target[name] = trimmed || null;
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
    onlyFields(body, CHECK_FIELDS);
    const input = new CheckLicenseInput();
    input.keyCode = rawText(body['keyCode'], 100);
    input.productCode = text(body['productCode'], 1, 40);
    return input;
  });
}

/** An acquire body read without class-validator, or undefined when validInput must decide. */
export function plainAcquireInput(body: Body): AcquireLicenseInput | undefined {
  return read(() => {
    onlyFields(body, ACQUIRE_FIELDS);
    const input = new AcquireLicenseInput();
    input.keyCode = rawText(body['keyCode'], 100);
    input.productCode = text(body['productCode'], 1, 40);

    const hostBody = object(body['host']);
    onlyFields(hostBody, HOST_FIELDS);
    const host = new HostInput();
    host.fingerprint = text(hostBody['fingerprint'], 1, 256);
    setOptionalText(host as unknown as Body, hostBody, 'name', 256);
    setOptionalText(host as unknown as Body, hostBody, 'os', 256);
    setOptionalText(host as unknown as Body, hostBody, 'ip', 64);
    setOptionalText(host as unknown as Body, hostBody, 'platformVersion', 64);
    input.host = host;

    if ('session' in body) {
      const sessionValue = body['session'];
      if (sessionValue === undefined || sessionValue === null) {
        input.session = sessionValue;
      } else {
        const sessionBody = object(sessionValue);
        onlyFields(sessionBody, SESSION_FIELDS);
        const session = new SessionInput();
        setOptionalText(session as unknown as Body, sessionBody, 'infobase', 256);
        setOptionalText(session as unknown as Body, sessionBody, 'user', 256);
        setOptionalText(session as unknown as Body, sessionBody, 'processId', 64);
        input.session = session;
      }
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
