import { Module } from '@nestjs/common';
import { ProductModule } from '../product/product.module';
import { LicenseRepository } from './license.repository';
import { KeyProductResolver, LicenseResolver } from './license.resolver';
import { LicenseService } from './license.service';

/** The licenses on keys: every change with its event, and what is in force now. */
@Module({
  imports: [ProductModule],
  providers: [LicenseResolver, KeyProductResolver, LicenseService, LicenseRepository],
  exports: [LicenseService],
})
export class LicenseModule {}
