import { Injectable } from '@nestjs/common';
import {
  EventEnvelope,
  KeyCreated,
  KeyData,
  KeyDeleted,
  KeyUpdated,
  ProductCreated,
  ProductData,
  ProductUpdated,
  StaffCreated,
  VendorCreated,
} from '@licensing/events';
import { EventConsumer } from '@licensing/kafka';
import { EventHandlerRegistry } from '@licensing/platform';
import { EntityManager } from 'typeorm';
import { ReadModelService } from './read-model.service';

/** Keeps the read model from the keys service's events, one service call per event. */
@Injectable()
export class ReadModelHandler implements EventHandlerRegistry {
  constructor(private readonly readModel: ReadModelService) {}

  register(consumer: EventConsumer): void {
    const product = (e: EventEnvelope<ProductData>, m: EntityManager) =>
      this.readModel.saveProduct(m, {
        productId: e.data.productId,
        vendorId: e.vendorId,
        code: e.data.code,
        name: e.data.name,
      });
    const key = (e: EventEnvelope<KeyData>, m: EntityManager) =>
      this.readModel.saveKey(m, {
        keyId: e.data.keyId,
        vendorId: e.vendorId,
        code: e.data.code,
        company: e.data.company,
        contactName: e.data.contactName ?? null,
        email: e.data.email?.toLowerCase() ?? null,
        createdEventId: e.type === KeyCreated.type ? e.id : null,
      });
    consumer
      .on(VendorCreated, (e, m) =>
        this.readModel.saveVendor(m, { vendorId: e.data.vendorId, prefix: e.data.prefix, name: e.data.name }),
      )
      .on(StaffCreated, (e, m) =>
        this.readModel.saveStaff(m, {
          staffId: e.data.staffId,
          vendorId: e.vendorId,
          email: e.data.email.toLowerCase(),
          name: e.data.name,
          role: e.data.role,
        }),
      )
      .on(ProductCreated, product)
      .on(ProductUpdated, product)
      .on(KeyCreated, key)
      .on(KeyUpdated, key)
      .on(KeyDeleted, (e, m) =>
        this.readModel.deleteKey(m, { keyId: e.data.keyId, vendorId: e.vendorId, code: e.data.code }, new Date(e.time)),
      );
  }
}
