import fc from 'fast-check';
import {
  getNamedType,
  getNullableType,
  GraphQLInputType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';

/**
 * Bad values for one input slot, grouped in named classes (the `valueClass` a failure is
 * reported under), and a few valid but unusual ones (another enum value, another fixture's
 * id) that take the paths the baseline does not. Which classes apply depends on the slot's
 * GraphQL type and, for text, on what the field holds (an id, a code, an e-mail, a date-time).
 */
export interface BadValue {
  valueClass: string;
  value: unknown;
}

/**
 * JSON text sent as it is, in place of a value: for nesting deeper than JSON.stringify
 * (recursive) would write. `toJsonBody` splices it into the request body.
 */
export class RawJson {
  constructor(
    readonly text: string,
    readonly label: string,
  ) {}

  toJSON(): string {
    return `<${this.label}>`;
  }

  [fc.toStringMethod](): string {
    return `RawJson(${this.label})`;
  }
}

/** The request body of `value`, with every RawJson spliced in as its text. */
export function toJsonBody(value: unknown): string {
  const raws: RawJson[] = [];
  const text = JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
    const original = (this as Record<string, unknown>)[key];
    if (original instanceof RawJson) {
      raws.push(original);
      return `\u0001raw${raws.length - 1}\u0001`;
    }
    return v;
  });
  return raws.reduce((body, raw, i) => body.replace(`"\\u0001raw${i}\\u0001"`, raw.text), text);
}

/** Arrays or objects nested `min` to `max` deep. */
const nested = (min: number, max: number) =>
  fc
    .tuple(fc.integer({ min, max }), fc.boolean())
    .map(([depth, arrays]) =>
      arrays
        ? new RawJson(`${'['.repeat(depth)}${']'.repeat(depth)}`, `${depth} nested arrays`)
        : new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`, `${depth} nested objects`),
    );

const bad = (valueClass: string, arb: fc.Arbitrary<unknown>): fc.Arbitrary<BadValue> =>
  arb.map((value) => ({ valueClass, value }));

const ascii = fc.string({ maxLength: 12 });

/** Text with one NUL character somewhere in it. */
const withNul = fc.tuple(ascii, ascii).map(([a, b]) => `${a}\u0000${b}`);

/** Text with one unpaired UTF-16 surrogate (high or low) somewhere in it. */
const withLoneSurrogate = fc
  .tuple(ascii, fc.integer({ min: 0xd800, max: 0xdfff }), ascii)
  .map(([a, unit, b]) => `${a}${String.fromCharCode(unit)}${b}`);

const CONTROL = [
  '\u0001',
  '\u0007',
  '\u0008',
  '\u000b',
  '\u000c',
  '\u001b',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u200b',
  '\u200e',
  '\u2028',
  '\u202e',
  '\ufeff',
  '\uffff',
];
const withControl = fc
  .tuple(ascii, fc.array(fc.constantFrom(...CONTROL), { minLength: 1, maxLength: 6 }), ascii)
  .map(([a, cs, b]) => `${a}${cs.join('')}${b}`);

/** 10,000 to 30,000 characters (up to about 120 kB of UTF-8, near the gateway's body limit). */
const long = fc
  .tuple(fc.integer({ min: 10_000, max: 30_000 }), fc.constantFrom('a', 'é', '字', '😀', 'A-', '%', ' x'))
  .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)));

const WHITESPACE = [' ', '\t', '\n', '\r', '\u00a0', '\u2003', '\u3000'];
const whitespace = fc.array(fc.constantFrom(...WHITESPACE), { minLength: 1, maxLength: 8 }).map((a) => a.join(''));

/** Any code points, astral ones included (never a lone surrogate: that is its own class). */
const unicode = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });

const INJECTION = [
  "' OR '1'='1",
  "'; DROP TABLE license_keys; --",
  '%',
  '%_%',
  '\\',
  '\\\\%',
  '"',
  '${process.exit()}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '\u0000\u0000',
];
const injection = fc.constantFrom(...INJECTION);

/** The classes every text field gets, whatever it holds. */
function textClasses(): fc.Arbitrary<BadValue>[] {
  return [
    bad('nul', withNul),
    bad('lone-surrogate', withLoneSurrogate),
    bad('lone-surrogate', fc.constantFrom('\udc00', '\ud800', 'a\udfff', '\udbff\ud800')),
    bad('control-chars', withControl),
    bad('long-10k+', long),
    bad('empty', fc.constant('')),
    bad('whitespace-only', whitespace),
    bad('unicode', unicode),
    bad('injection', injection),
  ];
}

const UUID = '3f1c2a9e-7b4d-4c1a-9e2f-5a6b7c8d9e0f';
const hex = fc.constantFrom(...'0123456789abcdef'.split(''));
const uuidArb = fc
  .array(hex, { minLength: 32, maxLength: 32 })
  .map(
    (h) =>
      `${h.slice(0, 8).join('')}-${h.slice(8, 12).join('')}-4${h.slice(13, 16).join('')}-a${h
        .slice(17, 20)
        .join('')}-${h.slice(20, 32).join('')}`,
  );

/** Strings that are almost a UUID: one character wrong, missing, extra, or wrapped. */
const nearUuid = fc.oneof(
  fc.constantFrom(
    UUID.replace('3', 'g'),
    UUID.slice(0, -1),
    `${UUID}0`,
    `{${UUID}}`,
    `urn:uuid:${UUID}`,
    UUID.replace(/-/g, ''),
    UUID.replace(/-/g, '_'),
    ` ${UUID} `,
    `${UUID}\n`,
    UUID.toUpperCase(),
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    `${UUID.slice(0, 35)}\u0000`,
    `${UUID.slice(0, 35)}\udc00`,
    UUID.replace('-', '\u2010'),
  ),
  fc
    .tuple(uuidArb, fc.nat(35), fc.constantFrom('z', '-', ' ', 'é', ''))
    .map(([u, i, c]) => u.slice(0, i) + c + u.slice(i + 1)),
);

const nonUuid = fc.oneof(
  fc.constantFrom('1', '0', '-1', '42', 'null', 'undefined', 'abc', 'NaN', '1e309', "1' OR '1'='1", '*', '%'),
  fc.string({ minLength: 1, maxLength: 20 }),
);

function idClasses(): fc.Arbitrary<BadValue>[] {
  return [
    bad('non-uuid', nonUuid),
    bad('near-uuid', nearUuid),
    bad('unknown-uuid', uuidArb),
    bad('number-for-id', fc.constantFrom(0, 1, -1, 2147483647, 9007199254740993)),
    bad('nul', withNul),
    bad('lone-surrogate', withLoneSurrogate),
    bad('empty', fc.constant('')),
    bad('long-10k+', long),
  ];
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const group = fc.array(fc.constantFrom(...CROCKFORD.split('')), { minLength: 5, maxLength: 5 }).map((g) => g.join(''));

/** Key and coupon codes that are not codes: wrong shape, alphabet, length or prefix. */
function malformedCodes(baseline: unknown): fc.Arbitrary<string> {
  const code = typeof baseline === 'string' && baseline ? baseline : 'ACME-22222-22222-22222-22222';
  return fc.oneof(
    fc.constantFrom(
      code.slice(0, 4),
      code.slice(0, -1),
      `${code}2`,
      `${code}-22222`,
      code.replace(/-/g, '--'),
      code.replace(/[0-9A-Z]/, 'U'),
      code.replace(/-/g, ' - '),
      code.replace(/A/g, 'А'), // Cyrillic A
      code.replace(/2/g, '２'), // full-width digit
      code.replace(/-/g, '\u2011'),
      `${code.slice(0, 10)}!${code.slice(11)}`,
      `${code}\u0000`,
      `${code}\udc00`,
      code.split('').reverse().join(''),
      'ACME',
      '-',
      '----',
      'ACMEUPD-',
      'ACMEUPD-22222-22222-22222-22222',
      'ZZZZ-22222-22222-22222-22222',
      'AC-22222-22222-22222-22222',
    ),
    fc
      .tuple(fc.string({ minLength: 0, maxLength: 8 }), fc.array(group, { minLength: 0, maxLength: 6 }))
      .map(([prefix, groups]) => [prefix, ...groups].join('-')),
    fc
      .tuple(fc.nat(code.length), fc.constantFrom('I', 'L', 'O', 'U', '*', '_', ' ', 'ß'))
      .map(([i, c]) => code.slice(0, i) + c + code.slice(i + 1)),
  );
}

const malformedEmail = fc.oneof(
  fc.constantFrom(
    'plainaddress',
    'a@',
    '@b.test',
    'a@b@c.test',
    'a b@c.test',
    'a@b..test',
    '.a@b.test',
    'a@-b.test',
    'a@b.test.',
    'юзер@пример.рф',
    'a@b',
    `${'x'.repeat(300)}@b.test`,
    `a@${'b'.repeat(300)}.test`,
    'a@b.test\u0000',
    'a\udc00@b.test',
    '\udc00@x.test',
    'x@\ud800.test',
    'a@b.test\n',
    'a@b.test, c@d.test',
    '"a"@b.test',
    'a+tag@b.test',
  ),
  fc.tuple(ascii, ascii).map(([a, b]) => `${a}@${b}`),
);

const INVALID_DATES = [
  'not a date',
  '2024-13-01T00:00:00Z',
  '2024-02-30T00:00:00Z',
  '2024-01-01T25:00:00Z',
  '2024-01-01T00:60:00Z',
  '2024-01-01',
  '2024-01-01T00:00:00',
  '0000-00-00T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '99999-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-19T00:00:00Z',
  '2024-01-01T00:00:00+25:00',
  '2024-01-01T00:00:00.123456789Z',
  'Infinity',
  'NaN',
  '1e10',
  '1700000000',
  '2024-01-01T00:00:00Z\u0000',
  '2024-01-01T00:00:00Z\udc00',
  'yesterday',
  'Mon, 01 Jan 2024 00:00:00 GMT',
];
const invalidDate = fc.oneof(
  fc.constantFrom(...INVALID_DATES),
  fc.integer({ min: -1e6, max: 1e6 }).map((y) => `${y}-01-01T00:00:00Z`),
);

const INTS = [
  -2147483648, -2147483649, -1, 0, 2147483647, 2147483648, 4294967296, 9007199254740993, 1e21, 1e308, 0.5, 1.5, -0.0001,
  3651, 36501, 100001, 366, 101,
];
const badInt = fc.oneof(
  fc.constantFrom(...INTS),
  fc.integer({ min: -2147483648, max: 0 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d) || Math.abs(d) > 2 ** 31),
);

/** Cursors in the lists' own format (`<list>:<seq>`, base64url) with odd insertion numbers. */
const craftedCursor = fc
  .tuple(
    fc.constantFrom('k', 'c', 'x', ''),
    fc.constantFrom(
      '0',
      '1',
      '-1',
      '1.5',
      '9223372036854775807',
      '9223372036854775808',
      '9999999999999999999',
      '00000000000000000001',
      '1e3',
      '',
    ),
  )
  .map(([list, seq]) => Buffer.from(`${list}:${seq}`, 'utf8').toString('base64url'));

/** A JSON value of another type than the slot takes. */
function wrongJsonType(type: GraphQLInputType): fc.Arbitrary<unknown> {
  const named = getNamedType(type);
  const choices: fc.Arbitrary<unknown>[] = [fc.constantFrom({}, { a: 1 }, [], ['x'], [null])];
  if (!isScalarType(named) || named.name !== 'Int') choices.push(fc.constantFrom(0, 1, -1, 3.14));
  if (!isScalarType(named) || named.name !== 'Boolean') choices.push(fc.constantFrom(true, false));
  if (isInputObjectType(named) || isListType(getNullableType(type)) || !['String', 'ID'].includes(named.name)) {
    choices.push(fc.constantFrom('x', '1', 'true', 'null', '{}', '[]'));
  }
  return fc.oneof(...choices);
}

export interface SlotInfo {
  /** The argument or input field name (`email`, `keyCode`, `id`). */
  name: string;
  type: GraphQLInputType;
  /** The slot's value in the baseline, if it has one. */
  baseline: unknown;
}

/** The fixtures' own values (ids, codes, names), to put one where another belongs. */
export interface FixturePool {
  ids: string[];
  texts: string[];
}

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every string of the fixtures, ids apart from the rest; secrets (API keys, passwords) left out. */
export function fixturePool(fixtures: unknown): FixturePool {
  const pool: FixturePool = { ids: [], texts: [] };
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      if (/apiKey|password/i.test(key)) return;
      (UUID_SHAPE.test(value) ? pool.ids : pool.texts).push(value);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  walk(fixtures, '');
  return { ids: [...new Set(pool.ids)], texts: [...new Set(pool.texts)] };
}

const isCodeField = (name: string) => /(^code$|keyCode$|couponCode$|KeyCode$)/.test(name);

/** The bad values of one slot, as one arbitrary (classes weighted equally). */
export function badValuesFor(slot: SlotInfo, pool: FixturePool = { ids: [], texts: [] }): fc.Arbitrary<BadValue> {
  const nullable = getNullableType(slot.type);
  const named = getNamedType(slot.type);
  const classes: fc.Arbitrary<BadValue>[] = [
    bad('wrong-json-type', wrongJsonType(slot.type)),
    bad('nested-100+', nested(100, 3_000)),
    bad('nested-10k+', nested(10_000, 20_000)),
  ];
  // null is bad for a required slot and a legal "clear" for an optional one: both must hold.
  classes.push(bad(isNonNullType(slot.type) ? 'null-for-required' : 'null', fc.constant(null)));

  if (isListType(nullable)) {
    const item = Array.isArray(slot.baseline) ? slot.baseline[0] : undefined;
    classes.push(
      bad('empty-list', fc.constant([])),
      bad('null-in-list', fc.constant([null])),
      bad('nested-list', fc.constant([[item ?? 'x']])),
      bad(
        'oversized-list',
        fc.integer({ min: 51, max: 400 }).map((n) => Array.from({ length: n }, () => item ?? 'x')),
      ),
    );
    return fc.oneof(...classes);
  }
  if (isInputObjectType(named)) {
    classes.push(bad('empty-object', fc.constant({})));
    return fc.oneof(...classes);
  }
  if (isEnumType(named)) {
    const values = named.getValues().map((v) => v.name);
    classes.push(
      bad(
        'wrong-enum',
        fc.oneof(
          fc.constantFrom(...values.map((v) => v.toLowerCase()), ...values.map((v) => ` ${v}`)),
          fc.constantFrom('UNKNOWN', 'OWNER', 'HOST_BINDING', 'ACTIVATED', 'ADD_PRODUCT', '', '__proto__'),
          fc.string({ maxLength: 12 }),
        ),
      ),
      bad('nul', withNul),
      bad('lone-surrogate', withLoneSurrogate),
    );
    // A valid value, but another one: the paths the baseline does not take.
    const others = values.filter((v) => v !== slot.baseline);
    if (others.length) classes.push(bad('other-enum-value', fc.constantFrom(...others)));
    return fc.oneof(...classes);
  }
  switch (named.name) {
    case 'Int':
      classes.push(
        bad('bad-number', badInt),
        bad('numeric-string', fc.constantFrom('1', '10', '1e3', ' 5', '0x10')),
        // Valid, but not the baseline's: the paths it does not take.
        bad('other-small-int', fc.integer({ min: 1, max: 60 })),
      );
      return fc.oneof(...classes);
    case 'Boolean':
      classes.push(
        bad('truthy-not-boolean', fc.constantFrom('true', 'false', 1, 0, 'yes', '')),
        bad('flipped-boolean', fc.constant(slot.baseline !== true)),
      );
      return fc.oneof(...classes);
    case 'ID':
      classes.push(...idClasses());
      // Another fixture's id (another kind of row, or another vendor's): a valid id that is wrong here.
      if (pool.ids.length) classes.push(bad('other-fixture-id', fc.constantFrom(...pool.ids)));
      return fc.oneof(...classes);
    case 'DateTime':
      classes.push(bad('invalid-datetime', invalidDate), bad('nul', withNul), bad('lone-surrogate', withLoneSurrogate));
      return fc.oneof(...classes);
    default:
      classes.push(...textClasses());
      if (pool.texts.length || pool.ids.length) {
        classes.push(bad('other-fixture-value', fc.constantFrom(...pool.texts, ...pool.ids)));
      }
      if (isCodeField(slot.name)) classes.push(bad('malformed-code', malformedCodes(slot.baseline)));
      if (/email/i.test(slot.name)) classes.push(bad('malformed-email', malformedEmail));
      if (/Id$|^id$/.test(slot.name)) classes.push(...idClasses());
      if (slot.name === 'after') {
        classes.push(bad('bad-cursor', fc.base64String({ maxLength: 40 })), bad('crafted-cursor', craftedCursor));
      }
      return fc.oneof(...classes);
  }
}

/** Names a JSON object may not carry into an input object, odd ones included. */
export const EXTRA_FIELD_NAMES = ['unknownField', 'id', 'vendorId', '__proto__', 'constructor', 'toString', '', 'a b'];

/** Values of an extra, undeclared variable: mostly text the gateway must refuse anyway. */
export const extraVariableValue: fc.Arbitrary<BadValue> = fc.oneof(
  bad('extra-variable', fc.oneof(fc.constant('x'), fc.constant(1), fc.constant({ a: [1] }))),
  bad('extra-variable-nul', withNul),
  bad('extra-variable-lone-surrogate', withLoneSurrogate),
);

/** A whole `variables` member that is not an object. */
export const nonObjectVariables: fc.Arbitrary<BadValue> = bad(
  'variables-not-object',
  fc.constantFrom([], [1], 'x', '{}', 1, true),
);
