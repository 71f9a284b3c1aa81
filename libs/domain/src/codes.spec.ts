import {
  CODE_ALPHABET,
  CODE_RANDOM_BITS,
  generateCode,
  normalizeCouponCode,
  normalizeKeyCode,
  parseCode,
} from './codes';

describe('license key and coupon codes', () => {
  it('formats keys and coupons with the vendor prefix and four groups of five', () => {
    expect(generateCode('key', 'MIKO')).toMatch(/^MIKO(-[0-9A-HJKMNP-TV-Z]{5}){4}$/);
    expect(generateCode('coupon', 'MIKO')).toMatch(/^MIKOUPD(-[0-9A-HJKMNP-TV-Z]{5}){4}$/);
    expect(() => generateCode('key', 'miko')).toThrow(/prefix/);
  });

  it('uses a 32-symbol alphabet without look-alikes, giving at least 100 random bits', () => {
    expect(new Set(CODE_ALPHABET).size).toBe(32);
    for (const ch of 'ILOU') expect(CODE_ALPHABET).not.toContain(ch);
    expect(CODE_RANDOM_BITS).toBeGreaterThanOrEqual(100);
  });

  it('maps every byte value to every symbol equally often', () => {
    const counts = new Map<string, number>();
    for (let b = 0; b < 256; b++) {
      const body = generateCode('key', 'ABCD', (n) => Buffer.alloc(n, b)).slice(5, 6);
      counts.set(body, (counts.get(body) ?? 0) + 1);
    }
    expect([...counts.values()]).toEqual(new Array(32).fill(8));
  });

  it('draws different codes each time', () => {
    const codes = new Set(Array.from({ length: 10_000 }, () => generateCode('key', 'ABCD')));
    expect(codes.size).toBe(10_000);
  });

  it('accepts keys in any case, with stray spaces, missing dashes and look-alike letters', () => {
    const code = 'MIKO-0A1B2-C3D4E-F5G6H-J7K8M';
    for (const typed of [
      code,
      code.toLowerCase(),
      ' miko 0a1b2 c3d4e f5g6h j7k8m ',
      'MIKO0A1B2C3D4EF5G6HJ7K8M',
      'MIKO-OA1B2-C3D4E-F5G6H-J7K8M', // O for 0
      'MIKO-0AIB2-C3D4E-F5G6H-J7K8M', // I for 1
      'MIKO-0Al B2-C3D4E–F5G6H-J7K8M', // l for 1, an en dash
    ]) {
      expect(normalizeKeyCode(typed)).toBe(code);
    }
  });

  it('tells malformed input apart from a well-formed code', () => {
    for (const typed of [
      '',
      'MIKO',
      'MIKO-0A1B2-C3D4E-F5G6H-J7K8',
      'MIKO-0A1B2-C3D4E-F5G6H-J7K8MX',
      'MIK0-0A1B2-C3D4E-F5G6H-J7K8M',
      'MIKO-0A1B2-C3D4E-F5G6H-J7K8U',
      'MIKO-0A1B2-C3D4E-F5G6H-J7K8*',
    ]) {
      expect(normalizeKeyCode(typed)).toBeUndefined();
    }
    expect(parseCode('MIKO-0A1B2-C3D4E-F5G6H-J7K8M')).toEqual({
      kind: 'key',
      prefix: 'MIKO',
      code: 'MIKO-0A1B2-C3D4E-F5G6H-J7K8M',
    });
  });

  it('reads coupons with the same tolerance and never as keys', () => {
    const coupon = 'MIKOUPD-0A1B2-C3D4E-F5G6H-J7K8M';
    expect(normalizeCouponCode('mikoupd 0a1b2c3d4e f5g6h j7k8m')).toBe(coupon);
    expect(normalizeKeyCode(coupon)).toBeUndefined();
    expect(normalizeCouponCode('MIKOXXX-0A1B2-C3D4E-F5G6H-J7K8M')).toBeUndefined();
    expect(normalizeCouponCode('MIKO-0A1B2-C3D4E-F5G6H-J7K8M')).toBeUndefined();
  });
});
