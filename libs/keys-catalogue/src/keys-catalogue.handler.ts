import { KeyCreated, KeyDeleted, KeyUpdated, VendorCreated } from '@licensing/events';
import type { EventEnvelope } from '@licensing/events';
import type { EventConsumer } from '@licensing/kafka';
import type { EntityManager } from 'typeorm';
import type { KnownKeyState, KnownProductColumns, KnownVendor } from './keys-catalogue.entity';

/** What a read model's service does with the vendor and key events (its handler's calls). */
export interface KeysCatalogueWriter {
  saveVendor(manager: EntityManager, vendor: KnownVendor): Promise<void>;
  saveKey(manager: EntityManager, key: KnownKeyState): Promise<void>;
  deleteKey(manager: EntityManager, key: KnownKeyState, at: Date): Promise<void>;
}

/**
 * Registers vendor.created and key.created/updated/deleted on `consumer`, each translated into
 * one call of `writer` with the event's full state; a service's handler adds its own events.
 */
export function onVendorAndKeyEvents(consumer: EventConsumer, writer: KeysCatalogueWriter): EventConsumer {
  const key = (e: EventEnvelope<{ keyId: string; code: string }>): KnownKeyState => ({
    keyId: e.data.keyId,
    vendorId: e.vendorId,
    code: e.data.code,
  });
  return consumer
    .on(VendorCreated, (e, m) => writer.saveVendor(m, { vendorId: e.data.vendorId, prefix: e.data.prefix }))
    .on(KeyCreated, (e, m) => writer.saveKey(m, key(e)))
    .on(KeyUpdated, (e, m) => writer.saveKey(m, key(e)))
    .on(KeyDeleted, (e, m) => writer.deleteKey(m, key(e), new Date(e.time)));
}

/** A product's identity as product.created and product.updated state it. */
export function productIdentity(e: EventEnvelope<{ productId: string; code: string }>): KnownProductColumns {
  return { productId: e.data.productId, vendorId: e.vendorId, code: e.data.code };
}
