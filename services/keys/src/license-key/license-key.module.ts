import { Module } from '@nestjs/common';
import { DistributorModule } from '../distributor/distributor.module';
import { LicenseModule } from '../license/license.module';
import { ProductModule } from '../product/product.module';
import { StaffModule } from '../staff/staff.module';
import { VendorModule } from '../vendor/vendor.module';
import { LicenseKeyRepository } from './license-key.repository';
import { LicenseKeyResolver } from './license-key.resolver';
import { LicenseKeyService } from './license-key.service';

/** License keys and their clients: issuing, the key card and its re-binding, search, deletion. */
@Module({
  imports: [VendorModule, DistributorModule, StaffModule, ProductModule, LicenseModule],
  providers: [LicenseKeyResolver, LicenseKeyService, LicenseKeyRepository],
  exports: [LicenseKeyService],
})
export class LicenseKeyModule {}
