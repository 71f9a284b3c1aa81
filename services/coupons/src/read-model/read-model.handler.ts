import { Injectable } from '@nestjs/common';
import { DistributorCreated, EventEnvelope, ProductCreated, ProductData, ProductUpdated } from '@licensing/events';
import { EventConsumer } from '@licensing/kafka';
import { onVendorAndKeyEvents, productIdentity } from '@licensing/keys-catalogue';
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
        ...productIdentity(e),
        trialDays: e.data.trialDays,
      });
    onVendorAndKeyEvents(consumer, this.readModel)
      .on(ProductCreated, product)
      .on(ProductUpdated, product)
      .on(DistributorCreated, (e, m) =>
        this.readModel.saveDistributor(m, {
          distributorId: e.data.distributorId,
          vendorId: e.vendorId,
          name: e.data.name,
        }),
      );
  }
}
