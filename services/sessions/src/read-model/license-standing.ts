import { describeVerdict, evaluateKey, INACTIVE_REASONS, LicenseFacts, LicenseKind } from '@licensing/domain';
import type { LicenseModel } from '@licensing/events';

/*
 * Whether a product is in force on a key, from what the read model knows: the key with its
 * licenses, and the vendor's catalogue. The rules are libs/domain's; this only feeds them.
 */

/** Why a product cannot be used on a key: a license rule, or no license at all, or no key. */
export const STANDING_REASONS = [...INACTIVE_REASONS, 'NO_LICENSE', 'KEY_DELETED'] as const;
export type StandingReason = (typeof STANDING_REASONS)[number];

/** One key as the license cache holds it: enough to evaluate any of its products. */
export interface KeySnapshot {
  keyId: string;
  vendorId: string;
  code: string;
  deleted: boolean;
  /** Every license on the key but revoked ones; times in epoch milliseconds. */
  licenses: {
    id: string;
    productId: string;
    kind: LicenseKind;
    seats: number;
    startsAt: number;
    expiresAt: number | null;
    active: boolean;
  }[];
}

/** One product of a vendor's catalogue. */
export interface CatalogueProduct {
  productId: string;
  code: string;
  licenseModel: LicenseModel;
  requiresProductCode: string | null;
}

/** A vendor's products by code. */
export type Catalogue = ReadonlyMap<string, CatalogueProduct>;

/** A product on a key at one moment. */
export interface LicenseStanding {
  keyId: string;
  vendorId: string;
  keyCode: string;
  productId: string;
  productCode: string;
  licenseModel: LicenseModel;
  active: boolean;
  /** Seats in force (0 when not active). */
  seats: number;
  /** When it stops as things stand; null = perpetual or not active. */
  validUntil: Date | null;
  /** Which kind gives the seats. */
  kind: 'MAIN' | 'TRIAL' | null;
  reason: StandingReason | null;
  /** What an application shows: "License active until 07.08.2026". */
  message: string;
}

function factsOf(snapshot: KeySnapshot): LicenseFacts[] {
  return snapshot.licenses.map((l) => ({
    id: l.id,
    productId: l.productId,
    kind: l.kind,
    seats: l.seats,
    startsAt: new Date(l.startsAt),
    expiresAt: l.expiresAt === null ? null : new Date(l.expiresAt),
    active: l.active,
  }));
}

/** Evaluates `product` on the key at `now` with libs/domain's rules. */
export function evaluateStanding(
  snapshot: KeySnapshot,
  catalogue: Catalogue,
  product: CatalogueProduct,
  now: Date,
): LicenseStanding {
  const base = {
    keyId: snapshot.keyId,
    vendorId: snapshot.vendorId,
    keyCode: snapshot.code,
    productId: product.productId,
    productCode: product.code,
    licenseModel: product.licenseModel,
  };
  const refused = (reason: StandingReason, message: string): LicenseStanding => ({
    ...base,
    active: false,
    seats: 0,
    validUntil: null,
    kind: null,
    reason,
    message,
  });
  if (snapshot.deleted) return refused('KEY_DELETED', 'The license key was deleted');
  const requires = new Map<string, string | null>();
  for (const p of catalogue.values()) {
    const required = p.requiresProductCode === null ? undefined : catalogue.get(p.requiresProductCode);
    // A requirement the catalogue cannot name is one the key cannot meet.
    requires.set(p.productId, p.requiresProductCode === null ? null : (required?.productId ?? `missing:${p.code}`));
  }
  const verdict = evaluateKey(factsOf(snapshot), requires, now).products.get(product.productId);
  if (!verdict) return refused('NO_LICENSE', describeVerdict(undefined));
  return {
    ...base,
    active: verdict.active,
    seats: verdict.seats,
    validUntil: verdict.validUntil,
    kind: verdict.kind,
    reason: verdict.reason,
    message: describeVerdict(verdict),
  };
}
