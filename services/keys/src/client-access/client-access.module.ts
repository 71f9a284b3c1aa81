import { Module } from '@nestjs/common';
import { LoginThrottleModule } from '../common/login-throttle.module';
import { CouponGrantsModule } from '../coupon-grants/coupon-grants.module';
import { LicenseKeyModule } from '../license-key/license-key.module';
import { ClientAccessResolver } from './client-access.resolver';
import { ClientAccessService } from './client-access.service';

/** The client cabinet's login, with a license key or a coupon activated on one key. */
@Module({
  imports: [LicenseKeyModule, CouponGrantsModule, LoginThrottleModule],
  providers: [ClientAccessResolver, ClientAccessService],
  exports: [ClientAccessService],
})
export class ClientAccessModule {}
