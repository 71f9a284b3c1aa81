import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { KnownKey, KnownProduct, KnownVendor } from './read-model.entity';
import { ReadModelRepository } from './read-model.repository';

/**
 * What the notifications service knows of the keys service's world: vendor names (sender
 * names), product names, and each key's client and e-mail (the recipient of its letters).
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

  findKeyByCode(vendorId: string, code: string): Promise<KnownKey | null> {
    return this.model.findByCode(vendorId, code);
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
