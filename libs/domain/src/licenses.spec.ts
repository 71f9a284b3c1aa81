import { addedLicenseKind, DAY_MS, daysAfter, describeVerdict, evaluateKey, LicenseFacts } from './licenses';

const now = new Date('2026-06-01T12:00:00Z');
const days = (n: number) => new Date(now.getTime() + n * 86_400_000);
let n = 0;
function license(overrides: Partial<LicenseFacts> & Pick<LicenseFacts, 'kind'>): LicenseFacts {
  n += 1;
  return {
    id: `l${n}`,
    productId: 'pbx',
    seats: 1,
    startsAt: days(-10),
    expiresAt: days(20),
    active: true,
    ...overrides,
  };
}
const none = new Map<string, string | null>();

describe('license rules', () => {
  it('sums the seats of the main and additional licenses in force', () => {
    const main = license({ kind: 'MAIN', seats: 5, expiresAt: null });
    const extra = license({ kind: 'ADDITIONAL', seats: 3 });
    const expired = license({ kind: 'ADDITIONAL', seats: 10, expiresAt: days(-1) });
    const v = evaluateKey([main, extra, expired], none, now);
    expect(v.products.get('pbx')).toMatchObject({ active: true, seats: 8, validUntil: null, kind: 'MAIN' });
    expect(v.licenses.get(expired.id)).toEqual({ active: false, reason: 'EXPIRED' });
  });

  it('gives an additional license no seats without a main license in force', () => {
    const main = license({ kind: 'MAIN', seats: 5, expiresAt: days(-1) });
    const extra = license({ kind: 'ADDITIONAL', seats: 3 });
    const v = evaluateKey([main, extra], none, now);
    expect(v.licenses.get(extra.id)).toEqual({ active: false, reason: 'NO_MAIN_LICENSE' });
    expect(v.products.get('pbx')).toMatchObject({ active: false, seats: 0, reason: 'NO_MAIN_LICENSE' });
  });

  it('never adds trial seats, and a trial yields to a main license', () => {
    const trial = license({ kind: 'TRIAL', seats: 1, expiresAt: days(5) });
    expect(evaluateKey([trial], none, now).products.get('pbx')).toMatchObject({
      active: true,
      seats: 1,
      kind: 'TRIAL',
      validUntil: days(5),
    });
    const main = license({ kind: 'MAIN', seats: 2, expiresAt: days(300) });
    const v = evaluateKey([trial, main], none, now);
    expect(v.licenses.get(trial.id)).toEqual({ active: false, reason: 'SUPERSEDED_BY_MAIN' });
    expect(v.products.get('pbx')).toMatchObject({ seats: 2, validUntil: days(300) });
    const retired = evaluateKey([{ ...trial, active: false }, main], none, now);
    expect(retired.licenses.get(trial.id)).toEqual({ active: false, reason: 'SUPERSEDED_BY_MAIN' });
  });

  it('reports a required product without a license in force as the reason', () => {
    const module = license({ kind: 'MAIN', productId: 'crm', seats: 4 });
    const platform = license({ kind: 'MAIN', productId: 'pbx', expiresAt: days(-2) });
    const requires = new Map([['crm', 'pbx']]);
    const v = evaluateKey([module, platform], requires, now);
    expect(v.licenses.get(module.id)).toEqual({ active: false, reason: 'REQUIRED_PRODUCT_INACTIVE' });
    expect(v.products.get('crm')).toMatchObject({ active: false, reason: 'REQUIRED_PRODUCT_INACTIVE' });
    expect(describeVerdict(v.products.get('crm'))).toMatch(/requires/);
    const renewed = evaluateKey([module, { ...platform, expiresAt: days(30) }], requires, now);
    expect(renewed.products.get('crm')).toMatchObject({ active: true, seats: 4 });
  });

  it('follows requirements along a chain', () => {
    const a = license({ kind: 'MAIN', productId: 'a' });
    const b = license({ kind: 'MAIN', productId: 'b' });
    const c = license({ kind: 'MAIN', productId: 'c', active: false });
    const v = evaluateKey(
      [a, b, c],
      new Map([
        ['a', 'b'],
        ['b', 'c'],
      ]),
      now,
    );
    expect(v.products.get('a')?.reason).toBe('REQUIRED_PRODUCT_INACTIVE');
    expect(v.products.get('b')?.reason).toBe('REQUIRED_PRODUCT_INACTIVE');
    expect(v.products.get('c')?.reason).toBe('DEACTIVATED');
  });

  it('does not count a license before its start', () => {
    const later = license({ kind: 'MAIN', startsAt: days(1) });
    expect(evaluateKey([later], none, now).licenses.get(later.id)).toEqual({ active: false, reason: 'NOT_STARTED' });
  });

  it('describes the verdict the way applications show it', () => {
    expect(
      describeVerdict({ active: true, validUntil: new Date('2026-08-07T10:00:00Z'), reason: null, kind: 'MAIN' }),
    ).toBe('License active until 07.08.2026');
    expect(describeVerdict({ active: true, validUntil: null, reason: null, kind: 'MAIN' })).toBe(
      'License active, perpetual',
    );
    expect(
      describeVerdict({ active: true, validUntil: new Date('2026-08-07T10:00:00Z'), reason: null, kind: 'TRIAL' }),
    ).toBe('Trial license active until 07.08.2026');
    expect(describeVerdict(undefined)).toMatch(/not on the key/);
  });

  it('adds a coupon license as ADDITIONAL only beside a main license in force on its own terms', () => {
    const trial = license({ kind: 'TRIAL' });
    expect(addedLicenseKind([trial], 'pbx', now)).toBe('MAIN');
    const expiredMain = license({ kind: 'MAIN', expiresAt: days(-1) });
    const retiredMain = license({ kind: 'MAIN', active: false });
    expect(addedLicenseKind([expiredMain, retiredMain], 'pbx', now)).toBe('MAIN');
    const otherProduct = license({ kind: 'MAIN', productId: 'crm' });
    expect(addedLicenseKind([otherProduct], 'pbx', now)).toBe('MAIN');
    const main = license({ kind: 'MAIN' });
    expect(addedLicenseKind([trial, main], 'pbx', now)).toBe('ADDITIONAL');
  });

  it('counts days in whole days of 24 hours', () => {
    expect(DAY_MS).toBe(86_400_000);
    expect(daysAfter(now, 30)).toEqual(new Date('2026-07-01T12:00:00Z'));
  });
});
