import 'reflect-metadata';
import fc from 'fast-check';
import { CheckLicenseInput } from '../checks/dto/check-license.input';
import { AcquireLicenseInput } from '../sessions/dto/acquire-license.input';
import { plainAcquireInput, plainCheckInput } from './plain-input';
import { validInput } from './runtime.input';

/** What class-validator makes of a body: the instance, or 'refused'. */
function authority<T extends object>(type: new () => T, body: Record<string, unknown>): T | 'refused' {
  try {
    return validInput(type, body);
  } catch {
    return 'refused';
  }
}

/** Strings near every edge the rules have: blank, padded, long, non-ASCII, surrogates, selectors. */
const edgyText = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '  x  ',
    'DEMO-AAAAA-BBBBB-CCCCC-DDDDD',
    'PBX-CORE',
    ' PBX-CORE ',
    'БУХГАЛТЕРИЯ-ПК',
    'x\uFE0F',
  ),
  fc.constantFrom('😀', '\uFE0F', 'a\uD800', 'idem-key-0001', 'short', 'a:b.c_d-e-f'),
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.integer({ min: 30, max: 270 }).map((n) => 'h'.repeat(n)),
  fc.integer({ min: 30, max: 270 }).map((n) => ` ${'й'.repeat(n)} `),
);
const value = fc.oneof(
  { weight: 24, arbitrary: fc.string({ minLength: 1, maxLength: 20 }) },
  { weight: 6, arbitrary: edgyText },
  { weight: 1, arbitrary: fc.constantFrom(null, 0, 12, true, [], ['x'], {}) },
);
const rarely = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
/**
 * An object with every field of `fields` (values from `field`), except that now and then one
 * is left out or a field of no such name is added: most bodies are near valid, so the fast
 * path takes many of them and the property says something.
 */
const objectOf = (fields: readonly string[], field: fc.Arbitrary<unknown>) =>
  fc
    .tuple(
      fc.record(Object.fromEntries(fields.map((f) => [f, field]))),
      rarely(fc.constantFrom(...fields)),
      rarely(fc.constantFrom('extra', 'hostname', '__proto__')),
    )
    .map(([record, dropped, extra]) => {
      const body: Record<string, unknown> = { ...record };
      if (dropped) delete body[dropped];
      if (extra)
        Object.defineProperty(body, extra, { value: 'x', enumerable: true, writable: true, configurable: true });
      return body;
    });

const host = fc.oneof(
  { weight: 12, arbitrary: objectOf(['fingerprint', 'name', 'os', 'ip', 'platformVersion'], value) },
  { weight: 1, arbitrary: value },
);
const session = fc.oneof(
  { weight: 6, arbitrary: objectOf(['infobase', 'user', 'processId'], value) },
  { weight: 1, arbitrary: value },
);
const idempotencyKey = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z0-9._:-]{6,20}$/) },
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: value },
);
const acquireBody = fc
  .tuple(objectOf(['keyCode', 'productCode'], value), idempotencyKey, host, session, fc.boolean(), fc.boolean())
  .map(([body, key, h, s, withKey, withSession]) => ({
    ...body,
    host: h,
    ...(withKey ? { idempotencyKey: key } : {}),
    ...(withSession ? { session: s } : {}),
  }));
const checkBody = objectOf(['keyCode', 'productCode'], value);

/**
 * Runs the property over `bodies`: whatever `fast` takes, class-validator accepts, as an
 * instance of `type` with the same values (and what `alsoSame` checks). How many it took.
 */
function takenAgreeing<T extends object>(
  bodies: fc.Arbitrary<Record<string, unknown>>,
  fast: (body: Record<string, unknown>) => T | undefined,
  type: new () => T,
  numRuns: number,
  alsoSame: (fast: T, slow: T) => void = () => undefined,
): number {
  let taken = 0;
  fc.assert(
    fc.property(bodies, (body) => {
      const quick = fast(body);
      if (quick === undefined) return;
      taken++;
      const slow = authority(type, body);
      expect(slow).not.toBe('refused');
      if (slow === 'refused') return;
      expect(quick).toBeInstanceOf(type);
      expect(JSON.stringify(quick)).toBe(JSON.stringify(slow));
      alsoSame(quick, slow);
    }),
    { numRuns },
  );
  return taken;
}

describe('plain runtime inputs', () => {
  it('take only check bodies class-validator accepts, with the same values', () => {
    const taken = takenAgreeing(checkBody, plainCheckInput, CheckLicenseInput, 3000);
    // The property says something only if many generated bodies were taken (about 60% are).
    expect(taken).toBeGreaterThan(1000);
  });

  it('take only acquire bodies class-validator accepts, with the same values and classes', () => {
    const taken = takenAgreeing(acquireBody, plainAcquireInput, AcquireLicenseInput, 5000, (fast, slow) => {
      expect(fast.host).toBeInstanceOf(slow.host.constructor);
      if (slow.session) expect(fast.session).toBeInstanceOf(slow.session.constructor);
    });
    expect(taken).toBeGreaterThan(500); // about 20% are
  });

  it('take the bodies applications send, Cyrillic and blanks included (else it would be dead code)', () => {
    const acquire = {
      keyCode: 'DEMO-AAAAA-BBBBB-CCCCC-DDDDD',
      productCode: ' PBX-CORE ',
      host: { fingerprint: 'c3a0f1e2d4b5a6978812', name: 'БУХГАЛТЕРИЯ-ПК', os: 'Windows 11', ip: '  ' },
      session: { infobase: 'Торговля', user: 'Иванов И.И.', processId: null },
      idempotencyKey: 'acquire-0001',
    };
    const fast = plainAcquireInput(acquire);
    expect(fast).toBeDefined();
    expect(JSON.stringify(fast)).toBe(JSON.stringify(authority(AcquireLicenseInput, acquire)));
    expect(fast).toMatchObject({ productCode: 'PBX-CORE', host: { ip: null }, session: { processId: null } });
    expect(plainAcquireInput({ keyCode: 'K', productCode: 'P', host: { fingerprint: 'f' } })).toBeDefined();
    expect(plainCheckInput({ keyCode: 'DEMO-AAAAA-BBBBB-CCCCC-DDDDD', productCode: 'PBX-CORE' })).toBeDefined();
  });

  it('leave to class-validator what it refuses, so its messages are the ones clients see', () => {
    expect(plainCheckInput({ keyCode: 'K', productCode: '   ' })).toBeUndefined();
    expect(plainCheckInput({ keyCode: 'K', productCode: 'P', extra: 1 })).toBeUndefined();
    expect(plainAcquireInput({ keyCode: 'K', productCode: 'P', host: { fingerprint: 'f', mac: 'x' } })).toBeUndefined();
    expect(plainAcquireInput({ keyCode: 'K', productCode: 'P', host: { fingerprint: ' ' } })).toBeUndefined();
    expect(
      plainAcquireInput({ keyCode: 'K', productCode: 'P', host: { fingerprint: 'f' }, idempotencyKey: 'short' }),
    ).toBeUndefined();
  });
});
