import { Injectable } from '@nestjs/common';
import {
  EventEnvelope,
  LicenseChanged,
  LicenseGranted,
  LicenseRevoked,
  LicenseStateData,
  ProductCreated,
  ProductData,
  ProductUpdated,
} from '@licensing/events';
import { EventConsumer } from '@licensing/kafka';
import { onVendorAndKeyEvents, productIdentity } from '@licensing/keys-catalogue';
import { EventHandlerRegistry } from '@licensing/platform';
import { EntityManager } from 'typeorm';
import { KnownLicense } from './read-model.entity';
import { ReadModelService } from './read-model.service';

/**
 * Keeps the read model from the keys service's events: each event becomes one call that
 * saves its full state as of the event's time, so redelivery and replays converge.
 */
@Injectable()
export class ReadModelHandler implements EventHandlerRegistry {
  constructor(private readonly readModel: ReadModelService) {}

  register(consumer: EventConsumer): void {
    const product = (e: EventEnvelope<ProductData>, m: EntityManager) =>
      this.readModel.saveProduct(m, {
        ...productIdentity(e),
        licenseModel: e.data.licenseModel,
        requiresProductCode: e.data.requiresProductCode ?? null,
        updatedAt: new Date(e.time),
      });
    const license = (e: EventEnvelope<LicenseStateData>): Omit<KnownLicense, 'revokedAt'> => ({
      licenseId: e.data.licenseId,
      vendorId: e.vendorId,
      keyId: e.data.keyId,
      productId: e.data.productId,
      kind: e.data.kind,
      seats: e.data.seats,
      startsAt: new Date(e.data.startsAt),
      expiresAt: e.data.expiresAt ? new Date(e.data.expiresAt) : null,
      active: e.data.active,
      updatedAt: new Date(e.time),
    });
    onVendorAndKeyEvents(consumer, this.readModel)
      .on(ProductCreated, product)
      .on(ProductUpdated, product)
      .on(LicenseGranted, (e, m) => this.readModel.saveLicense(m, license(e)))
      .on(LicenseChanged, (e, m) => this.readModel.saveLicense(m, license(e)))
      .on(LicenseRevoked, (e, m) => this.readModel.revokeLicense(m, license(e)));
  }
}
