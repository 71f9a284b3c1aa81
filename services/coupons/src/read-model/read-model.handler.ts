import { Injectable } from '@nestjs/common';
import {
  DistributorCreated,
  KeyCreated,
  KeyData,
  KeyDeleted,
  KeyUpdated,
  ProductCreated,
  ProductData,
  ProductUpdated,
  VendorCreated,
  EventEnvelope,
} from '@licensing/events';
import { EventConsumer } from '@licensing/kafka';
import { EventHandlerRegistry } from '@licensing/platform';
import { EntityManager } from 'typeorm';
import { ReadModelRepository } from './read-model.repository';

/**
 * Keeps the read model from the keys service's events. Every handler is an upsert of the
 * event's full state, so redelivery and replays converge on the same rows.
 */
@Injectable()
export class ReadModelHandler implements EventHandlerRegistry {
  constructor(private readonly model: ReadModelRepository) {}

  register(consumer: EventConsumer): void {
    const product = (e: EventEnvelope<ProductData>, m: EntityManager) =>
      this.model.upsertProduct(m, {
        productId: e.data.productId,
        vendorId: e.vendorId,
        code: e.data.code,
        trialDays: e.data.trialDays,
      });
    const key = (e: EventEnvelope<KeyData>, m: EntityManager) =>
      this.model.upsertKey(m, { keyId: e.data.keyId, vendorId: e.vendorId, code: e.data.code });
    consumer
      .on(VendorCreated, (e, m) => this.model.upsertVendor(m, e.data.vendorId, e.data.prefix))
      .on(ProductCreated, product)
      .on(ProductUpdated, product)
      .on(DistributorCreated, (e, m) => this.model.upsertDistributor(m, e.vendorId, e.data.distributorId, e.data.name))
      .on(KeyCreated, key)
      .on(KeyUpdated, key)
      .on(KeyDeleted, (e, m) =>
        this.model.deleteKey(m, { keyId: e.data.keyId, vendorId: e.vendorId, code: e.data.code }, new Date(e.time)),
      );
  }
}
