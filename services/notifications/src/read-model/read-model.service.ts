import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { KnownKey, KnownProduct, KnownStaff, KnownVendor } from './read-model.entity';
import { ReadModelRepository } from './read-model.repository';

/**
 * What the notifications service knows of the keys service's world: vendor names (sender
 * names), product names, each key's client and e-mail (the recipient of its letters), and the
 * vendors' staff (owners get the vendor's operational e-mails).
 * Kept from the keys events by the handler; read by the e-mail feature.
 */
@Injectable()
export class ReadModelService {
  constructor(private readonly model: ReadModelRepository) {}

  findVendor(vendorId: string, manager?: EntityManager): Promise<KnownVendor | null> {
    return this.model.findVendor(vendorId, manager);
  }

  /** Product names by code; a code without a known product maps to itself. */
  async productNames(
    vendorId: string,
    codes: readonly string[],
    manager?: EntityManager,
  ): Promise<Map<string, string>> {
    const products: KnownProduct[] = codes.length ? await this.model.findProductsByCode(vendorId, codes, manager) : [];
    const names = new Map(codes.map((c) => [c, c]));
    for (const p of products) names.set(p.code, p.name);
    return names;
  }

  findLiveKeyById(vendorId: string, keyId: string, manager?: EntityManager): Promise<KnownKey | null> {
    return this.model.findLiveKeyById(vendorId, keyId, manager);
  }

  /** The codes of the vendor's keys by id (deleted ones too); an unknown id is absent. */
  async keyCodes(vendorId: string, keyIds: readonly string[]): Promise<Map<string, string>> {
    if (!keyIds.length) return new Map();
    return new Map((await this.model.findKeysById(vendorId, keyIds)).map((k) => [k.keyId, k.code]));
  }

  findKeyByCode(vendorId: string, code: string): Promise<KnownKey | null> {
    return this.model.findByCode(vendorId, code);
  }

  /** The vendor's owners: where the platform writes to the vendor. */
  findOwners(vendorId: string, manager?: EntityManager): Promise<KnownStaff[]> {
    return this.model.findOwners(vendorId, manager);
  }

  saveStaff(manager: EntityManager, staff: KnownStaff): Promise<void> {
    return this.model.saveStaff(manager, staff);
  }

  saveVendor(manager: EntityManager, vendor: KnownVendor): Promise<void> {
    return this.model.saveVendor(manager, vendor);
  }

  saveProduct(manager: EntityManager, product: KnownProduct): Promise<void> {
    return this.model.saveProduct(manager, product);
  }

  saveKey(manager: EntityManager, key: Omit<KnownKey, 'deletedAt'>): Promise<void> {
    return this.model.saveKey(manager, key);
  }

  deleteKey(manager: EntityManager, key: { keyId: string; vendorId: string; code: string }, at: Date): Promise<void> {
    return this.model.deleteKey(manager, key, at);
  }
}
