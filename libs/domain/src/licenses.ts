/**
 * The rules that decide whether a license on a key is in force and how many seats a product
 * has on the key (docs/domain.md#licenses-on-a-key). Pure: the keys service shows their result
 * on the key card, and any read model holding the same facts (from the license events)
 * reaches the same answer.
 *
 *  - A license is in force when its status is active and now is inside its term.
 *  - A MAIN license carries seats; an ADDITIONAL one adds its seats, but only while a MAIN
 *    of the same product is in force.
 *  - A TRIAL never adds seats and does not combine: while a MAIN of the product is in force
 *    the trial is not (it counts as superseded even if its own status was not changed yet).
 *  - A product that requires another product is in force only while the key has a license
 *    of that product in force.
 */
export type LicenseKind = 'TRIAL' | 'MAIN' | 'ADDITIONAL';

export const DAY_MS = 86_400_000;

/** Trials get one seat: enough to try the product on one host or in one session. */
export const TRIAL_SEATS = 1;

/** The moment `days` whole days after `start`. */
export function daysAfter(start: Date, days: number): Date {
  return new Date(start.getTime() + days * DAY_MS);
}

export const INACTIVE_REASONS = [
  'DEACTIVATED',
  'NOT_STARTED',
  'EXPIRED',
  'SUPERSEDED_BY_MAIN',
  'NO_MAIN_LICENSE',
  'REQUIRED_PRODUCT_INACTIVE',
] as const;
export type InactiveReason = (typeof INACTIVE_REASONS)[number];

export interface LicenseFacts {
  id: string;
  productId: string;
  kind: LicenseKind;
  seats: number;
  startsAt: Date;
  /** null = perpetual. */
  expiresAt: Date | null;
  /** The stored status: false when deactivated (an upgrade, a superseded trial). */
  active: boolean;
}

export interface LicenseVerdict {
  active: boolean;
  reason: InactiveReason | null;
}

export interface ProductVerdict {
  productId: string;
  active: boolean;
  /** Seats in force: MAIN + ADDITIONAL in force, else the trial's, else 0. */
  seats: number;
  /** When the product stops being in force as things stand; null = perpetual or not active. */
  validUntil: Date | null;
  /** Why the product is not in force (the reason of its most telling license). */
  reason: InactiveReason | null;
  /** Which kind gives the seats: MAIN (with additional ones) or TRIAL. */
  kind: 'MAIN' | 'TRIAL' | null;
}

export interface KeyVerdict {
  licenses: Map<string, LicenseVerdict>;
  products: Map<string, ProductVerdict>;
}

function ownReason(l: LicenseFacts, now: Date): InactiveReason | null {
  if (!l.active) return 'DEACTIVATED';
  if (l.startsAt.getTime() > now.getTime()) return 'NOT_STARTED';
  if (l.expiresAt && l.expiresAt.getTime() <= now.getTime()) return 'EXPIRED';
  return null;
}

/** The latest end of a set of terms; null when any is perpetual. */
function latestEnd(licenses: LicenseFacts[]): Date | null {
  if (!licenses.length || licenses.some((l) => l.expiresAt === null)) return null;
  return new Date(Math.max(...licenses.map((l) => l.expiresAt!.getTime())));
}

/** The reason most worth showing for an inactive product, in the order a person would fix them. */
const REASON_ORDER: InactiveReason[] = [
  'REQUIRED_PRODUCT_INACTIVE',
  'NO_MAIN_LICENSE',
  'EXPIRED',
  'NOT_STARTED',
  'SUPERSEDED_BY_MAIN',
  'DEACTIVATED',
];

/**
 * Evaluates every license of one key at `now`. `requires` maps a product id to the product
 * it requires (absent or null: none). Products cannot require each other in a cycle (a
 * product's requirement is an existing product when it is created), but a cycle would only
 * make both inactive here, never loop.
 */
export function evaluateKey(
  licenses: readonly LicenseFacts[],
  requires: ReadonlyMap<string, string | null>,
  now: Date,
): KeyVerdict {
  const byProduct = new Map<string, LicenseFacts[]>();
  for (const l of licenses) byProduct.set(l.productId, [...(byProduct.get(l.productId) ?? []), l]);

  // 1. Each product on its own: own terms, MAIN/ADDITIONAL/TRIAL combination.
  const verdicts = new Map<string, LicenseVerdict>();
  for (const own of byProduct.values()) {
    const reasons = new Map(own.map((l) => [l.id, ownReason(l, now)]));
    const mainInForce = own.some((l) => l.kind === 'MAIN' && reasons.get(l.id) === null);
    for (const l of own) {
      let reason = reasons.get(l.id) ?? null;
      if (reason === null && l.kind === 'ADDITIONAL' && !mainInForce) reason = 'NO_MAIN_LICENSE';
      // A trial beside a main license in force is superseded, whether or not it was retired yet.
      if (l.kind === 'TRIAL' && mainInForce) reason = 'SUPERSEDED_BY_MAIN';
      verdicts.set(l.id, { active: reason === null, reason });
    }
  }

  // 2. Requirements between products, resolved until nothing changes (chains are short).
  const productInForce = (productId: string) =>
    (byProduct.get(productId) ?? []).some((l) => verdicts.get(l.id)!.active);
  for (let changed = true; changed;) {
    changed = false;
    for (const [productId, own] of byProduct) {
      const required = requires.get(productId);
      if (!required || productInForce(required)) continue;
      for (const l of own) {
        if (verdicts.get(l.id)!.active) {
          verdicts.set(l.id, { active: false, reason: 'REQUIRED_PRODUCT_INACTIVE' });
          changed = true;
        }
      }
    }
  }

  const products = new Map<string, ProductVerdict>();
  for (const [productId, own] of byProduct) {
    const inForce = own.filter((l) => verdicts.get(l.id)!.active);
    const mains = inForce.filter((l) => l.kind === 'MAIN');
    const trial = inForce.find((l) => l.kind === 'TRIAL');
    if (mains.length) {
      const paid = inForce.filter((l) => l.kind !== 'TRIAL');
      products.set(productId, {
        productId,
        active: true,
        seats: paid.reduce((sum, l) => sum + l.seats, 0),
        validUntil: latestEnd(mains),
        reason: null,
        kind: 'MAIN',
      });
    } else if (trial) {
      products.set(productId, {
        productId,
        active: true,
        seats: trial.seats,
        validUntil: trial.expiresAt,
        reason: null,
        kind: 'TRIAL',
      });
    } else {
      const reasons = new Set(own.map((l) => verdicts.get(l.id)!.reason));
      const reason = REASON_ORDER.find((r) => reasons.has(r)) ?? 'DEACTIVATED';
      products.set(productId, { productId, active: false, seats: 0, validUntil: null, reason, kind: null });
    }
  }
  return { licenses: verdicts, products };
}

/** "License active until 07.08.2026" and its siblings, as the applications show them. */
export function describeVerdict(
  verdict: Pick<ProductVerdict, 'active' | 'validUntil' | 'reason' | 'kind'> | undefined,
): string {
  if (!verdict) return 'The license is not on the key';
  if (verdict.active) {
    const what = verdict.kind === 'TRIAL' ? 'Trial license' : 'License';
    if (!verdict.validUntil) return `${what} active, perpetual`;
    const d = verdict.validUntil;
    const dd = String(d.getUTCDate()).padStart(2, '0');
    const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
    return `${what} active until ${dd}.${mm}.${d.getUTCFullYear()}`;
  }
  switch (verdict.reason) {
    case 'REQUIRED_PRODUCT_INACTIVE':
      return 'The license needs an active license of the product it requires';
    case 'NO_MAIN_LICENSE':
      return 'An additional license works only beside an active main license';
    case 'EXPIRED':
      return 'The license has expired';
    case 'NOT_STARTED':
      return 'The license has not started yet';
    case 'SUPERSEDED_BY_MAIN':
    case 'DEACTIVATED':
    case null:
      return 'The license is not active';
  }
}

/**
 * The kind of a license a coupon adds for a product: ADDITIONAL seats beside a MAIN license
 * of that product in force on its own terms, else the product's MAIN license.
 */
export function addedLicenseKind(
  licenses: readonly LicenseFacts[],
  productId: string,
  now: Date,
): 'MAIN' | 'ADDITIONAL' {
  const mainInForce = licenses.some(
    (l) => l.productId === productId && l.kind === 'MAIN' && ownReason(l, now) === null,
  );
  return mainInForce ? 'ADDITIONAL' : 'MAIN';
}
