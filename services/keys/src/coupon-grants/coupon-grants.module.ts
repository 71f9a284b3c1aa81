import { Module } from '@nestjs/common';
import { LicenseKeyModule } from '../license-key/license-key.module';
import { LicenseModule } from '../license/license.module';
import { ProductModule } from '../product/product.module';
import { CouponGrantsHandler } from './coupon-grants.handler';
import { CouponGrantsRepository } from './coupon-grants.repository';
import { CouponGrantsService } from './coupon-grants.service';

/** What activated coupons grant on keys, from the coupons service's events, and its rollback. */
@Module({
  imports: [LicenseKeyModule, LicenseModule, ProductModule],
  providers: [CouponGrantsHandler, CouponGrantsService, CouponGrantsRepository],
  exports: [CouponGrantsService],
})
export class CouponGrantsModule {
  /** The event handlers of this feature, for MessagingModule. */
  static readonly handlers = [CouponGrantsHandler];
}
