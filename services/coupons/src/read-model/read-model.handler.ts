import { Injectable } from '@nestjs/common';
import {
  DistributorCreated,
  EventEnvelope,
  KeyCreated,
  KeyData,
  KeyDeleted,
  KeyUpdated,
  ProductCreated,
  ProductData,
  ProductUpdated,
  VendorCreated,
} from '@licensing/events';
import { EventConsumer } from '@licensing/kafka';
import { EventHandlerRegistry } from '@licensing/platform';
import { EntityManager } from 'typeorm';
import { ReadModelService } from './read-model.service';

/**
 * Keeps the read model from the keys service's events: each event becomes one call that
 * saves its full state, so redelivery and replays converge on the same rows.
 */
@Injectable()
export class ReadModelHandler implements EventHandlerRegistry {
  constructor(private readonly readModel: ReadModelService) {}

  register(consumer: EventConsumer): void {
    const product = (e: EventEnvelope<ProductData>, m: EntityManager) =>
      this.readModel.saveProduct(m, {
        productId: e.data.productId,
        vendorId: e.vendorId,
        code: e.data.code,
        trialDays: e.data.trialDays,
      });
    const key = (e: EventEnvelope<KeyData>, m: EntityManager) =>
      this.readModel.saveKey(m, { keyId: e.data.keyId, vendorId: e.vendorId, code: e.data.code });
    consumer
      .on(VendorCreated, (e, m) => this.readModel.saveVendor(m, { vendorId: e.data.vendorId, prefix: e.data.prefix }))
      .on(ProductCreated, product)
      .on(ProductUpdated, product)
      .on(DistributorCreated, (e, m) =>
        this.readModel.saveDistributor(m, {
          distributorId: e.data.distributorId,
          vendorId: e.vendorId,
          name: e.data.name,
        }),
      )
      .on(KeyCreated, key)
      .on(KeyUpdated, key)
      .on(KeyDeleted, (e, m) =>
        this.readModel.deleteKey(m, { keyId: e.data.keyId, vendorId: e.vendorId, code: e.data.code }, new Date(e.time)),
      );
  }
}
