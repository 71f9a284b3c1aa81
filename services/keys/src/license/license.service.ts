import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { describeVerdict, evaluateKey } from '@licensing/domain';
import {
  createEvent,
  EventDefinition,
  LicenseChanged,
  LicenseGranted,
  LicenseRevoked,
  LicenseSourceType,
  LicenseStateData,
} from '@licensing/events';
import { enqueue } from '@licensing/kafka';
import { Product } from '../product/product.entity';
import { ProductService } from '../product/product.service';
import { LicenseRecord, LicenseTerms } from './license.entity';
import { LicenseRepository } from './license.repository';
import { KeyProductView, LicenseView } from './license.types';

/** The key a license change belongs to: enough to key and describe its events. */
export interface KeyRef {
  id: string;
  vendorId: string;
  code: string;
}

export interface NewLicense extends LicenseTerms {
  source: { type: LicenseSourceType; id?: string | null };
}

/**
 * Called with a license's state before its first change in a unit of work (null: the
 * license is new), so coupon activations can be rolled back exactly.
 */
export type ChangeJournal = (licenseId: string, before: LicenseTerms | null) => Promise<void>;

export interface KeyLicenses {
  licenses: LicenseView[];
  products: KeyProductView[];
}

const TERM_FIELDS = ['kind', 'seats', 'startsAt', 'expiresAt', 'active'] as const satisfies (keyof LicenseTerms)[];

function termsOf(l: LicenseRecord): LicenseTerms {
  return { kind: l.kind, seats: l.seats, startsAt: l.startsAt, expiresAt: l.expiresAt, active: l.active };
}

/**
 * Every change to the licenses of a key goes through here, so each one is written with
 * its event (license.granted / license.changed / license.revoked) in the caller's
 * transaction, and a main license always retires the trial of its product.
 */
@Injectable()
export class LicenseService {
  constructor(
    private readonly licenses: LicenseRepository,
    private readonly products: ProductService,
  ) {}

  /** The key's licenses with what is in force now, and one summary per product. */
  async forKey(vendorId: string, keyId: string, manager?: EntityManager, now = new Date()): Promise<KeyLicenses> {
    const records = await this.licenses.findByKey(vendorId, keyId, manager);
    return this.evaluate(vendorId, records, now, manager);
  }

  async evaluate(vendorId: string, records: LicenseRecord[], now: Date, manager?: EntityManager): Promise<KeyLicenses> {
    const productIds = [...new Set(records.map((r) => r.productId))];
    const products = await this.products.findByIds(vendorId, productIds, manager);
    const requires = new Map(products.map((p) => [p.id, p.requiresProductId]));
    const byId = new Map(products.map((p) => [p.id, p]));
    const verdict = evaluateKey(records, requires, now);
    return {
      licenses: records.map((r) => {
        const v = verdict.licenses.get(r.id)!;
        return {
          id: r.id,
          kind: r.kind,
          seats: r.seats,
          startsAt: r.startsAt,
          expiresAt: r.expiresAt,
          active: v.active,
          reason: v.reason,
          source: r.sourceType,
          sourceId: r.sourceId,
          productId: r.productId,
          keyId: r.keyId,
          vendorId: r.vendorId,
          loadedProduct: byId.get(r.productId),
        };
      }),
      products: [...verdict.products.values()].map((p) => ({
        active: p.active,
        seats: p.seats,
        validUntil: p.validUntil,
        reason: p.reason,
        message: describeVerdict(p),
        productId: p.productId,
        vendorId,
        loadedProduct: byId.get(p.productId),
      })),
    };
  }

  /** The product of a license or product line, loaded with the evaluation unless it was not. */
  productOf(view: LicenseView | KeyProductView): Promise<Product | null> | Product {
    return view.loadedProduct ?? this.products.findById(view.vendorId, view.productId);
  }

  lockedForKey(manager: EntityManager, key: KeyRef): Promise<LicenseRecord[]> {
    return this.licenses.findByKeyLocked(key.vendorId, key.id, manager);
  }

  /** Adds a license; a MAIN one retires the active trial of its product. */
  async grant(
    manager: EntityManager,
    key: KeyRef,
    product: Product,
    terms: NewLicense,
    journal?: ChangeJournal,
  ): Promise<LicenseRecord> {
    const record = await this.licenses.insert(
      key.vendorId,
      {
        keyId: key.id,
        productId: product.id,
        kind: terms.kind,
        seats: terms.seats,
        startsAt: terms.startsAt,
        expiresAt: terms.expiresAt,
        active: terms.active,
        sourceType: terms.source.type,
        sourceId: terms.source.id ?? null,
      },
      manager,
    );
    await journal?.(record.id, null);
    await this.announce(manager, LicenseGranted, key, product, record);
    if (record.kind === 'MAIN' && record.active) await this.retireTrials(manager, key, product, journal);
    return record;
  }

  /** Gives a license new terms (no event when nothing changes). */
  async change(
    manager: EntityManager,
    key: KeyRef,
    product: Product,
    record: LicenseRecord,
    next: Partial<LicenseTerms>,
    journal?: ChangeJournal,
  ): Promise<LicenseRecord> {
    const before = termsOf(record);
    const after: LicenseRecord = { ...record, ...next };
    const same = TERM_FIELDS.every((k) => {
      const a = before[k];
      const b = after[k];
      return a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;
    });
    if (same) return record;
    await journal?.(record.id, before);
    await this.licenses.save(key.vendorId, after, manager);
    await this.announce(manager, LicenseChanged, key, product, after);
    if (after.kind === 'MAIN' && after.active) await this.retireTrials(manager, key, product, journal);
    return after;
  }

  /** Removes a license from the key (a rollback of what created it). */
  async remove(manager: EntityManager, key: KeyRef, product: Product, record: LicenseRecord): Promise<void> {
    await this.licenses.delete(key.vendorId, record.id, manager);
    await this.announce(manager, LicenseRevoked, key, product, { ...record, active: false });
  }

  private async retireTrials(
    manager: EntityManager,
    key: KeyRef,
    product: Product,
    journal?: ChangeJournal,
  ): Promise<void> {
    const trials = (await this.licenses.findByKey(key.vendorId, key.id, manager)).filter(
      (l) => l.productId === product.id && l.kind === 'TRIAL' && l.active,
    );
    for (const trial of trials) await this.change(manager, key, product, trial, { active: false }, journal);
  }

  private announce(
    manager: EntityManager,
    definition: EventDefinition<LicenseStateData>,
    key: KeyRef,
    product: Product,
    record: LicenseRecord,
  ): Promise<void> {
    return enqueue(
      manager,
      createEvent(definition, {
        vendorId: key.vendorId,
        subject: key.id,
        data: {
          licenseId: record.id,
          keyId: key.id,
          keyCode: key.code,
          productId: product.id,
          productCode: product.code,
          licenseModel: product.licenseModel,
          kind: record.kind,
          seats: record.seats,
          startsAt: record.startsAt.toISOString(),
          expiresAt: record.expiresAt?.toISOString() ?? null,
          active: record.active,
          source: { type: record.sourceType, id: record.sourceId },
        },
      }),
    );
  }
}
