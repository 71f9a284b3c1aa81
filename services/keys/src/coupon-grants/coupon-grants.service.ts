import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { addedLicenseKind, daysAfter, TRIAL_SEATS } from '@licensing/domain';
import { CouponActivatedData, CouponGrant } from '@licensing/events';
import { LicenseKey } from '../license-key/license-key.entity';
import { LicenseKeyService } from '../license-key/license-key.service';
import { LicenseRecord } from '../license/license.entity';
import { ChangeJournal, KeyRef, LicenseService } from '../license/license.service';
import { Product } from '../product/product.entity';
import { ProductService } from '../product/product.service';
import { CouponGrantsRepository } from './coupon-grants.repository';

/** What one application of an activation works with. */
interface Application {
  manager: EntityManager;
  key: KeyRef;
  source: { type: 'COUPON'; id: string };
  journal: ChangeJournal;
  now: Date;
}

type GrantedProduct = { grant: CouponGrant; product: Product };

/**
 * Applies what an activated coupon grants to the key's licenses, and rolls it back when the
 * activation is deactivated (docs/domain.md#coupons). Both run in the caller's transaction
 * (the consumer's, which also records the event id, so a redelivered event changes
 * nothing); an activation is moreover applied and rolled back at most once by its own rows.
 *
 * Every license an activation creates or changes is journalled with its state before, and
 * a rollback restores those states newest first: what the activation created disappears,
 * what it changed (a trial it retired, the product set an upgrade replaced) comes back.
 */
@Injectable()
export class CouponGrantsService {
  private readonly logger = new Logger('CouponGrants');

  constructor(
    private readonly keys: LicenseKeyService,
    private readonly products: ProductService,
    private readonly licenses: LicenseService,
    private readonly grants: CouponGrantsRepository,
  ) {}

  /** The live key a coupon is active on; null for a coupon active on several keys (reusable) or none. */
  async keyOfActiveCoupon(couponCode: string): Promise<LicenseKey | null> {
    const keyIds = await this.grants.findKeyIdsByActiveCoupon(couponCode);
    return keyIds.length === 1 ? this.keys.findById(undefined, keyIds[0]!) : null;
  }

  async apply(
    vendorId: string,
    activation: CouponActivatedData,
    manager: EntityManager,
    now = new Date(),
  ): Promise<void> {
    const { activationId } = activation;
    const key = await this.keys.findById(vendorId, activation.keyId, manager);
    if (!key) {
      // Deleted since, or never this vendor's: a coupon never works on another vendor's key.
      this.logger.warn(
        `activation ${activationId}: key ${activation.keyId} of vendor ${vendorId} not found; nothing applied`,
      );
      return;
    }
    const applied = await this.grants.insertApplication(
      vendorId,
      { activationId, keyId: key.id, couponCode: activation.couponCode, couponType: activation.couponType },
      manager,
    );
    if (!applied) return;

    const application: Application = {
      manager,
      key,
      source: { type: 'COUPON', id: activationId },
      journal: (licenseId, before) => this.grants.insertChange(activationId, licenseId, before, manager),
      now,
    };
    const products = await this.grantedProducts(vendorId, activation.grants, manager);
    const current = await this.licenses.lockedForKey(manager, key);
    switch (activation.couponType) {
      case 'ADD_PRODUCT':
        return this.addProducts(application, products, current);
      case 'EXTEND_TRIAL':
        return this.extendTrials(application, products, current);
      case 'UPGRADE':
        return this.upgrade(application, products, current);
      default: {
        const unknown: never = activation.couponType;
        throw new Error(`unknown coupon type ${String(unknown)}`);
      }
    }
  }

  /** Restores what the activation changed, newest change first. */
  async rollback(activationId: string, manager: EntityManager): Promise<void> {
    const taken = await this.grants.takeForRollback(activationId, manager);
    if (!taken) return; // never applied, or rolled back already
    const key = await this.keys.findRefById(taken.keyId, manager);
    const current = new Map((await this.licenses.lockedForKey(manager, key)).map((l) => [l.id, l]));
    const productIds = [...new Set([...current.values()].map((l) => l.productId))];
    const products = new Map((await this.products.findByIds(key.vendorId, productIds, manager)).map((p) => [p.id, p]));
    for (const change of taken.changes) {
      const license = current.get(change.licenseId);
      if (!license) continue; // removed since by something else
      const product = products.get(license.productId)!;
      if (!change.before) {
        await this.licenses.remove(manager, key, product, license);
        current.delete(license.id);
        continue;
      }
      const restored = await this.licenses.change(manager, key, product, license, {
        kind: change.before.kind,
        seats: change.before.seats,
        startsAt: new Date(change.before.startsAt),
        expiresAt: change.before.expiresAt ? new Date(change.before.expiresAt) : null,
        active: change.before.active,
      });
      current.set(license.id, restored);
    }
  }

  /** A license per product: MAIN, or ADDITIONAL seats beside a main license in force. */
  private async addProducts(a: Application, products: GrantedProduct[], before: LicenseRecord[]): Promise<void> {
    let current = before;
    for (const { grant, product } of products) {
      const kind = addedLicenseKind(current, product.id, a.now);
      const created = await this.licenses.grant(
        a.manager,
        a.key,
        product,
        { ...term(grant, a.now), kind, source: a.source },
        a.journal,
      );
      current = [...current, created];
    }
  }

  /** The product's trial runs for the granted days from now, in force again; a new trial if there is none. */
  private async extendTrials(a: Application, products: GrantedProduct[], current: LicenseRecord[]): Promise<void> {
    for (const { grant, product } of products) {
      const expiresAt = daysAfter(a.now, grant.trialDays ?? product.trialDays);
      const trial = current.find((l) => l.productId === product.id && l.kind === 'TRIAL');
      if (trial) {
        await this.licenses.change(a.manager, a.key, product, trial, { expiresAt, active: true }, a.journal);
      } else {
        const terms = { kind: 'TRIAL' as const, seats: TRIAL_SEATS, startsAt: a.now, expiresAt, active: true };
        await this.licenses.grant(a.manager, a.key, product, { ...terms, source: a.source }, a.journal);
      }
    }
  }

  /**
   * The key gets exactly the listed products: every license of another product is
   * deactivated, and each listed product's main license (the active one, else the newest)
   * takes the granted terms, or a new main license is made.
   */
  private async upgrade(a: Application, products: GrantedProduct[], current: LicenseRecord[]): Promise<void> {
    const listed = new Set(products.map((p) => p.product.id));
    const ownIds = [...new Set(current.map((l) => l.productId))];
    const byId = new Map((await this.products.findByIds(a.key.vendorId, ownIds, a.manager)).map((p) => [p.id, p]));
    for (const license of current) {
      if (listed.has(license.productId) || !license.active) continue;
      await this.licenses.change(a.manager, a.key, byId.get(license.productId)!, license, { active: false }, a.journal);
    }
    for (const { grant, product } of products) {
      const mains = current.filter((l) => l.productId === product.id && l.kind === 'MAIN');
      const main = mains.find((l) => l.active) ?? mains.at(-1);
      const terms = { ...term(grant, a.now), kind: 'MAIN' as const };
      if (main) await this.licenses.change(a.manager, a.key, product, main, terms, a.journal);
      else await this.licenses.grant(a.manager, a.key, product, { ...terms, source: a.source }, a.journal);
    }
  }

  /** The granted products this vendor has; a grant of an unknown product is skipped. */
  private async grantedProducts(
    vendorId: string,
    grants: CouponGrant[],
    manager: EntityManager,
  ): Promise<GrantedProduct[]> {
    const ids = grants.map((g) => g.productId);
    const found = new Map((await this.products.findByIds(vendorId, ids, manager)).map((p) => [p.id, p]));
    return grants.flatMap((grant) => {
      const product = found.get(grant.productId);
      if (!product) this.logger.warn(`grant of unknown product ${grant.productCode} (${grant.productId}) skipped`);
      return product ? [{ grant, product }] : [];
    });
  }
}

/** A grant's seats and term, starting now; no period means perpetual. */
function term(grant: CouponGrant, now: Date): Pick<LicenseRecord, 'seats' | 'startsAt' | 'expiresAt' | 'active'> {
  return {
    seats: grant.seats ?? 1,
    startsAt: now,
    expiresAt: grant.periodDays ? daysAfter(now, grant.periodDays) : null,
    active: true,
  };
}
