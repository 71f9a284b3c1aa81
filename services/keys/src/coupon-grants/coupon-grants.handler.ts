import { Injectable } from '@nestjs/common';
import { CouponActivated, CouponDeactivated } from '@licensing/events';
import { EventConsumer } from '@licensing/kafka';
import { EventHandlerRegistry } from '@licensing/platform';
import { CouponGrantsService } from './coupon-grants.service';

/**
 * Coupon activations and deactivations from the coupons service, each handed to the grant
 * service in the consumer's transaction (which also records the event as processed).
 */
@Injectable()
export class CouponGrantsHandler implements EventHandlerRegistry {
  constructor(private readonly grants: CouponGrantsService) {}

  register(consumer: EventConsumer): void {
    consumer
      .on(CouponActivated, (event, manager) => this.grants.apply(event.vendorId, event.data, manager))
      .on(CouponDeactivated, (event, manager) => this.grants.rollback(event.data.activationId, manager));
  }
}
