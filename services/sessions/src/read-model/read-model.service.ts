import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { KeysCatalogueWriter, KnownKeyState } from '@licensing/keys-catalogue';
import { normalizeKeyCode } from '@licensing/domain';
import { BadInputError, NotFoundError } from '@licensing/graphql';
import { LicenseCacheRepository } from './license-cache.repository';
import { Catalogue, CatalogueProduct, evaluateStanding, KeySnapshot, LicenseStanding } from './license-standing';
import { KnownKey, KnownLicense, KnownProduct, KnownVendor } from './read-model.entity';
import { ReadModelRepository } from './read-model.repository';

/** Where a key and product named by an application come from in its input. */
export interface InputFields {
  keyCode: string;
  productCode: string;
}

const INPUT: InputFields = { keyCode: 'input.keyCode', productCode: 'input.productCode' };

/**
 * How old, in the events it reflects, a standing read by recentStanding may be. Heartbeats
 * use it: a license change ends the sessions it takes away directly (onKeyChange), so a
 * heartbeat's own look at the standing is for the clock (a term that ran out), which is
 * evaluated at the heartbeat's time whatever the age of the snapshot.
 */
export const RECENT_STANDING_MS = 1_000;
/** Keys remembered by recentStanding at most; past it the memory starts again. */
const RECENT_KEYS_MAX = 50_000;

/** A change of a key's licenses (or of the key), as the read model has just stored it. */
export interface KeyChange {
  vendorId: string;
  keyId: string;
  /** Canonical. */
  keyCode: string;
  /** The products whose licenses changed (none for a key event: all may have). */
  productIds: readonly string[];
}

export type KeyChangeListener = (change: KeyChange) => Promise<unknown>;

/**
 * What the sessions service knows of licenses: kept in Postgres from the keys service's
 * events (by the handler, through the save methods) and mirrored into Redis, so that the
 * standing of a product on a key is read from Redis alone once the key was seen. Every
 * change the handler stores is written through to Redis at once, so the next acquire,
 * heartbeat or check sees it.
 */
@Injectable()
export class ReadModelService implements KeysCatalogueWriter {
  private readonly keyChangeListeners: KeyChangeListener[] = [];
  /** recentStanding's memory: a key's snapshot and its vendor's catalogue, by canonical code. */
  private readonly recent = new Map<string, { snapshot: KeySnapshot; catalogue: Catalogue; until: number }>();

  constructor(
    private readonly model: ReadModelRepository,
    private readonly cache: LicenseCacheRepository,
  ) {}

  /**
   * Calls `listener` after every change of a key's licenses (or the key) has been written
   * through to the cache, inside the handler's transaction: what it throws fails the event,
   * which is delivered again. The sessions feature ends the sessions a change took away.
   */
  onKeyChange(listener: KeyChangeListener): void {
    this.keyChangeListeners.push(listener);
  }

  /**
   * The standing of a product (by id) on a key (by its canonical code), or null when the key
   * or the product is unknown: how a license change is applied to the sessions using it.
   */
  async standingById(keyCode: string, productId: string, now = new Date()): Promise<LicenseStanding | null> {
    const vendorPrefix = keyCode.slice(0, 4);
    const cached = await this.cache.read(keyCode, vendorPrefix);
    const snapshot = cached.snapshot === undefined ? await this.loadKey(keyCode) : cached.snapshot;
    if (!snapshot) return null;
    const catalogue = cached.catalogue ?? (await this.loadCatalogue(snapshot.vendorId, vendorPrefix));
    const product = [...catalogue.values()].find((p) => p.productId === productId);
    return product ? evaluateStanding(snapshot, catalogue, product, now) : null;
  }

  /**
   * The standing of a product on a key at `now`, the key as typed. Malformed codes are
   * BAD_USER_INPUT; an unknown key or a product the key's vendor does not have, NOT_FOUND.
   */
  async standing(
    keyCodeAsTyped: string,
    productCode: string,
    now = new Date(),
    fields: InputFields = INPUT,
  ): Promise<LicenseStanding> {
    const code = normalizeKeyCode(keyCodeAsTyped);
    if (!code) {
      throw new BadInputError(fields.keyCode, 'keyCode is not a license key (PPPP-XXXXX-XXXXX-XXXXX-XXXXX)');
    }
    const vendorPrefix = code.slice(0, 4);
    const cached = await this.cache.read(code, vendorPrefix);
    const snapshot = cached.snapshot === undefined ? await this.loadKey(code) : cached.snapshot;
    if (!snapshot) throw new NotFoundError('License key', fields.keyCode);
    const catalogue = cached.catalogue ?? (await this.loadCatalogue(snapshot.vendorId, vendorPrefix));
    const product = catalogue.get(productCode.trim());
    if (!product) throw new NotFoundError(`Product ${productCode.trim()}`, fields.productCode);
    return evaluateStanding(snapshot, catalogue, product, now);
  }

  /**
   * The standing of a product on a key (canonical code, as a live session holds it), from
   * this instance's memory when it read the key less than RECENT_STANDING_MS ago: one Redis
   * round trip fewer on the runtime's busiest path. Evaluated at `now` either way; changes
   * this instance applies itself are seen at once, other instances' within that time.
   */
  async recentStanding(keyCode: string, productCode: string, now = new Date()): Promise<LicenseStanding> {
    const at = now.getTime();
    const known = this.recent.get(keyCode);
    if (known && known.until > at) {
      const product = known.catalogue.get(productCode);
      if (product) return evaluateStanding(known.snapshot, known.catalogue, product, now);
    }
    const vendorPrefix = keyCode.slice(0, 4);
    const cached = await this.cache.read(keyCode, vendorPrefix);
    const snapshot = cached.snapshot === undefined ? await this.loadKey(keyCode) : cached.snapshot;
    if (!snapshot) throw new NotFoundError('License key', INPUT.keyCode);
    const catalogue = cached.catalogue ?? (await this.loadCatalogue(snapshot.vendorId, vendorPrefix));
    const product = catalogue.get(productCode);
    if (!product) throw new NotFoundError(`Product ${productCode}`, INPUT.productCode);
    if (this.recent.size >= RECENT_KEYS_MAX) this.recent.clear();
    this.recent.set(keyCode, { snapshot, catalogue, until: Date.now() + RECENT_STANDING_MS });
    return evaluateStanding(snapshot, catalogue, product, now);
  }

  /** A key by its code as typed (undefined when malformed), deleted or not. */
  async findKeyByCode(codeAsTyped: string): Promise<KnownKey | null | undefined> {
    const code = normalizeKeyCode(codeAsTyped);
    return code ? this.model.findKeyByCode(code) : undefined;
  }

  findProductById(vendorId: string, productId: string): Promise<KnownProduct | null> {
    return this.model.findProduct(vendorId, productId);
  }

  findProductByCode(vendorId: string, code: string): Promise<KnownProduct | null> {
    return this.model.findProductByCode(vendorId, code.trim());
  }

  findKeyById(vendorId: string, keyId: string): Promise<KnownKey | null> {
    return this.model.findKeyById(vendorId, keyId);
  }

  // --- kept from events (the handler's calls) -------------------------------------------

  async saveVendor(manager: EntityManager, vendor: KnownVendor): Promise<void> {
    await this.model.saveVendor(manager, vendor);
    const products = await this.model.findProducts(vendor.vendorId, manager);
    await this.cache.writeCatalogue(vendor.prefix, products.map(catalogueProduct));
    this.recent.clear();
  }

  async saveProduct(manager: EntityManager, product: KnownProduct): Promise<void> {
    await this.model.saveProduct(manager, product);
    const vendor = await this.model.findVendor(product.vendorId, manager);
    if (!vendor) return; // its catalogue is written when the vendor is learnt
    const stored = await this.model.findProduct(product.vendorId, product.productId, manager);
    if (stored) await this.cache.writeProduct(vendor.prefix, catalogueProduct(stored));
    this.recent.clear();
  }

  async saveKey(manager: EntityManager, key: KnownKeyState): Promise<void> {
    await this.model.saveKey(manager, key);
    await this.refreshKey(manager, key.vendorId, key.keyId);
  }

  async deleteKey(manager: EntityManager, key: KnownKeyState, at: Date): Promise<void> {
    await this.model.deleteKey(manager, key, at);
    await this.refreshKey(manager, key.vendorId, key.keyId);
  }

  async saveLicense(manager: EntityManager, license: Omit<KnownLicense, 'revokedAt'>): Promise<void> {
    await this.model.saveLicense(manager, license);
    await this.refreshKey(manager, license.vendorId, license.keyId, [license.productId]);
  }

  async revokeLicense(manager: EntityManager, license: Omit<KnownLicense, 'revokedAt'>): Promise<void> {
    await this.model.revokeLicense(manager, license);
    await this.refreshKey(manager, license.vendorId, license.keyId, [license.productId]);
  }

  /**
   * Writes what the key is now (in the handler's transaction) through to the cache, then
   * tells the listeners (`productIds`: the products whose licenses changed).
   */
  private async refreshKey(
    manager: EntityManager,
    vendorId: string,
    keyId: string,
    productIds: readonly string[] = [],
  ): Promise<void> {
    const key = await this.model.findKeyById(vendorId, keyId, manager);
    if (!key) return;
    const licenses = await this.model.findLicensesOfKey(vendorId, keyId, manager);
    await this.cache.writeKey(key.code, snapshotOf(key, licenses));
    this.recent.delete(key.code);
    for (const listener of this.keyChangeListeners) await listener({ vendorId, keyId, keyCode: key.code, productIds });
  }

  private async loadKey(code: string): Promise<KeySnapshot | null> {
    const key = await this.model.findKeyByCode(code);
    const snapshot = key ? snapshotOf(key, await this.model.findLicensesOfKey(key.vendorId, key.keyId)) : null;
    await this.cache.fillKey(code, snapshot);
    return snapshot;
  }

  private async loadCatalogue(vendorId: string, vendorPrefix: string): Promise<Catalogue> {
    const products = (await this.model.findProducts(vendorId)).map(catalogueProduct);
    await this.cache.fillCatalogue(vendorPrefix, products);
    return new Map(products.map((p) => [p.code, p]));
  }
}

function snapshotOf(key: KnownKey, licenses: readonly KnownLicense[]): KeySnapshot {
  return {
    keyId: key.keyId,
    vendorId: key.vendorId,
    code: key.code,
    deleted: key.deletedAt !== null,
    licenses: licenses.map((l) => ({
      id: l.licenseId,
      productId: l.productId,
      kind: l.kind,
      seats: l.seats,
      startsAt: l.startsAt.getTime(),
      expiresAt: l.expiresAt?.getTime() ?? null,
      active: l.active,
    })),
  };
}

function catalogueProduct(p: KnownProduct): CatalogueProduct {
  return {
    productId: p.productId,
    code: p.code,
    licenseModel: p.licenseModel,
    requiresProductCode: p.requiresProductCode,
  };
}
