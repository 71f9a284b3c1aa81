import { Catalogue, CatalogueProduct, evaluateStanding, KeySnapshot } from './license-standing';

const NOW = new Date(Date.UTC(2026, 0, 10));
const DAY = 86_400_000;

const product = (code: string, requiresProductCode: string | null = null): CatalogueProduct => ({
  productId: `p-${code}`,
  code,
  licenseModel: 'CONCURRENT_SESSIONS',
  requiresProductCode,
});

function snapshot(licenses: Partial<KeySnapshot['licenses'][number]>[], deleted = false): KeySnapshot {
  return {
    keyId: 'k',
    vendorId: 'v',
    code: 'ACME-00000-00000-00000-00000',
    deleted,
    licenses: licenses.map((l, i) => ({
      id: `l${i}`,
      productId: 'p-APP',
      kind: 'MAIN',
      seats: 2,
      startsAt: NOW.getTime() - DAY,
      expiresAt: Date.UTC(2026, 7, 7),
      active: true,
      ...l,
    })),
  };
}

describe('evaluateStanding', () => {
  const app = product('APP');
  const catalogue: Catalogue = new Map([['APP', app]]);

  it('reports seats, term and the message applications show', () => {
    expect(evaluateStanding(snapshot([{}]), catalogue, app, NOW)).toMatchObject({
      active: true,
      seats: 2,
      kind: 'MAIN',
      reason: null,
      message: 'License active until 07.08.2026',
    });
  });

  it('refuses everything on a deleted key, whatever its licenses', () => {
    expect(evaluateStanding(snapshot([{}], true), catalogue, app, NOW)).toMatchObject({
      active: false,
      seats: 0,
      reason: 'KEY_DELETED',
    });
  });

  it('says when the key has no license of the product', () => {
    expect(evaluateStanding(snapshot([]), catalogue, app, NOW)).toMatchObject({
      active: false,
      reason: 'NO_LICENSE',
      message: 'The license is not on the key',
    });
  });

  it('treats a required product the catalogue does not know as not in force', () => {
    const module = product('MODULE', 'GONE');
    const withModule: Catalogue = new Map([
      ['APP', app],
      ['MODULE', module],
    ]);
    expect(evaluateStanding(snapshot([{ productId: 'p-MODULE' }]), withModule, module, NOW).reason).toBe(
      'REQUIRED_PRODUCT_INACTIVE',
    );
  });
});
