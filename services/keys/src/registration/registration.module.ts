import { Module } from '@nestjs/common';
import { LicenseKeyModule } from '../license-key/license-key.module';
import { LicenseModule } from '../license/license.module';
import { ProductModule } from '../product/product.module';
import { VendorModule } from '../vendor/vendor.module';
import { RegistrationRepository } from './registration.repository';
import { RegistrationResolver } from './registration.resolver';
import { RegistrationService } from './registration.service';

/** Self-registration from applications, and trials on existing keys. */
@Module({
  imports: [VendorModule, ProductModule, LicenseKeyModule, LicenseModule],
  providers: [RegistrationResolver, RegistrationService, RegistrationRepository],
  exports: [RegistrationService],
})
export class RegistrationModule {}
