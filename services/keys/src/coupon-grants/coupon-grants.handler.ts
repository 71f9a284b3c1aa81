import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { evaluateKey } from '@licensing/domain';
import { CouponActivated, CouponActivatedData, CouponDeactivated, CouponGrant, EventEnvelope } from '@licensing/events';
import { EventConsumer } from '@licensing/kafka';
import { EventHandlerRegistry } from '@licensing/platform';
import { LicenseKeyRepository } from '../license-key/license-key.repository';
import { LicenseRecord } from '../license/license.entity';
import { ChangeJournal, DAY_MS, LicenseService, TRIAL_SEATS } from '../license/license.service';
import { Product } from '../product/product.entity';
import { ProductRepository } from '../product/product.repository';
import { CouponApplicationRepository } from './coupon-application.repository';

/**
 * Applies what an activated coupon grants to the key's licenses, and rolls it back when the
 * activation is deactivated (docs/domain.md#coupons). Both run inside the consumer's
 * transaction, which also records the event id, so a redelivered event changes nothing;
 * an activation is moreover applied and rolled back at most once by its own rows.
 *
 * Every license an activation creates or changes is journalled with its state before, and
 * a rollback restores those states newest first: what the activation created disappears,
 * what it changed (a trial it retired, the product set an upgrade replaced) comes back.
 */
@Injectable()
export class CouponGrantsHandler implements EventHandlerRegistry {
  private readonly logger = new Logger('CouponGrants');

  constructor(
    private readonly keys: LicenseKeyRepository,
    private readonly products: ProductRepository,
    private readonly licenses: LicenseService,
    private readonly applications: CouponApplicationRepository,
  ) {}

  register(consumer: EventConsumer): void {
    consumer.on(CouponActivated, (event, manager) => this.apply(event, manager));
    consumer.on(CouponDeactivated, (event, manager) => this.rollback(event.data.activationId, manager));
  }

  async apply(event: EventEnvelope<CouponActivatedData>, manager: EntityManager, now = new Date()): Promise<void> {
    const data = event.data;
    const key = await this.keys.findById(event.vendorId, data.keyId, manager);
    if (!key) {
      // Deleted since, or never this vendor's: a coupon never works on another vendor's key.
      this.logger.warn(
        `activation ${data.activationId}: key ${data.keyId} of vendor ${event.vendorId} not found; nothing applied`,
      );
      return;
    }
    const claimed = await this.applications.claim(manager, {
      activationId: data.activationId,
      vendorId: event.vendorId,
      keyId: key.id,
      couponCode: data.couponCode,
      couponType: data.couponType,
    });
    if (!claimed) return;

    const journal: ChangeJournal = (licenseId, before) =>
      this.applications.journal(manager, data.activationId, licenseId, before);
    const source = { type: 'COUPON' as const, id: data.activationId };
    const products = await this.grantedProducts(event.vendorId, data.grants, manager);
    let current = await this.licenses.lockedForKey(manager, key);

    switch (data.couponType) {
      case 'ADD_PRODUCT':
        for (const { grant, product } of products) {
          const verdict = evaluateKey(current, new Map(), now);
          const mainInForce = current.some(
            (l) => l.productId === product.id && l.kind === 'MAIN' && verdict.licenses.get(l.id)?.active,
          );
          const created = await this.licenses.grant(
            manager,
            key,
            product,
            { ...term(grant, now), kind: mainInForce ? 'ADDITIONAL' : 'MAIN', source },
            journal,
          );
          current = [...current, created];
        }
        break;
      case 'EXTEND_TRIAL':
        for (const { grant, product } of products) {
          const expiresAt = new Date(now.getTime() + (grant.trialDays ?? product.trialDays) * DAY_MS);
          const trial = current.find((l) => l.productId === product.id && l.kind === 'TRIAL');
          if (trial) await this.licenses.change(manager, key, product, trial, { expiresAt, active: true }, journal);
          else
            await this.licenses.grant(
              manager,
              key,
              product,
              { kind: 'TRIAL', seats: TRIAL_SEATS, startsAt: now, expiresAt, active: true, source },
              journal,
            );
        }
        break;
      case 'UPGRADE': {
        const listed = new Set(products.map((p) => p.product.id));
        const byId = new Map(
          (await this.products.findByIds(event.vendorId, [...new Set(current.map((l) => l.productId))], manager)).map(
            (p) => [p.id, p],
          ),
        );
        for (const license of current) {
          if (listed.has(license.productId) || !license.active) continue;
          await this.licenses.change(manager, key, byId.get(license.productId)!, license, { active: false }, journal);
        }
        for (const { grant, product } of products) {
          const mains = current.filter((l) => l.productId === product.id && l.kind === 'MAIN');
          const main = mains.find((l) => l.active) ?? mains.at(-1);
          const terms = { ...term(grant, now), kind: 'MAIN' as const };
          if (main) await this.licenses.change(manager, key, product, main, terms, journal);
          else await this.licenses.grant(manager, key, product, { ...terms, source }, journal);
        }
        break;
      }
      default: {
        const unknown: never = data.couponType;
        throw new Error(`unknown coupon type ${String(unknown)}`);
      }
    }
  }

  async rollback(activationId: string, manager: EntityManager): Promise<void> {
    const taken = await this.applications.takeForRollback(manager, activationId);
    if (!taken) return; // never applied, or rolled back already
    const key = await this.keys.findRefById(manager, taken.keyId);
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

  private async grantedProducts(
    vendorId: string,
    grants: CouponGrant[],
    manager: EntityManager,
  ): Promise<{ grant: CouponGrant; product: Product }[]> {
    const found = new Map(
      (
        await this.products.findByIds(
          vendorId,
          grants.map((g) => g.productId),
          manager,
        )
      ).map((p) => [p.id, p]),
    );
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
    expiresAt: grant.periodDays ? new Date(now.getTime() + grant.periodDays * DAY_MS) : null,
    active: true,
  };
}
