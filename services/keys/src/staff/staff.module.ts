import { Module } from '@nestjs/common';
import { LoginThrottleModule } from '../common/login-throttle.module';
import { VendorModule } from '../vendor/vendor.module';
import { StaffRepository } from './staff.repository';
import { StaffResolver } from './staff.resolver';
import { StaffService } from './staff.service';

/** A vendor's staff and their password login. */
@Module({
  imports: [VendorModule, LoginThrottleModule],
  providers: [StaffResolver, StaffService, StaffRepository],
  exports: [StaffService],
})
export class StaffModule {}
