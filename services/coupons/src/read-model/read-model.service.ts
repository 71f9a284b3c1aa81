import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { KeysCatalogueWriter, KnownKeyState } from '@licensing/keys-catalogue';
import { KnownDistributor, KnownKey, KnownProduct, KnownVendor } from './read-model.entity';
import { ReadModelRepository } from './read-model.repository';

/**
 * What the coupons service knows of the keys service's world (vendors and their prefixes,
 * products, distributors, live keys): kept from the keys service's events by the handler,
 * read by generation and activation. Reads are by vendor, except a key by its code, which
 * is how an application names it.
 */
@Injectable()
export class ReadModelService implements KeysCatalogueWriter {
  constructor(private readonly model: ReadModelRepository) {}

  async vendorPrefix(vendorId: string): Promise<string | undefined> {
    return (await this.model.findVendor(vendorId))?.prefix;
  }

  findProductsByCode(vendorId: string, codes: readonly string[]): Promise<KnownProduct[]> {
    return this.model.findProductsByCode(vendorId, codes);
  }

  async distributorExists(vendorId: string, distributorId: string): Promise<boolean> {
    return (await this.model.findDistributor(vendorId, distributorId)) !== null;
  }

  findLiveKeyByCode(code: string, manager?: EntityManager): Promise<KnownKey | null> {
    return this.model.findLiveKeyByCode(code, manager);
  }

  findKeyById(vendorId: string, keyId: string, manager?: EntityManager): Promise<KnownKey | null> {
    return this.model.findKeyById(vendorId, keyId, manager);
  }

  saveVendor(manager: EntityManager, vendor: KnownVendor): Promise<void> {
    return this.model.saveVendor(manager, vendor);
  }

  saveProduct(manager: EntityManager, product: KnownProduct): Promise<void> {
    return this.model.saveProduct(manager, product);
  }

  saveDistributor(manager: EntityManager, distributor: KnownDistributor): Promise<void> {
    return this.model.saveDistributor(manager, distributor);
  }

  saveKey(manager: EntityManager, key: KnownKeyState): Promise<void> {
    return this.model.saveKey(manager, key);
  }

  deleteKey(manager: EntityManager, key: KnownKeyState, at: Date): Promise<void> {
    return this.model.deleteKey(manager, key, at);
  }
}
