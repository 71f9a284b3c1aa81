import { Module } from '@nestjs/common';
import { ApiKeyController } from './api-key.controller';
import { VendorRepository } from './vendor.repository';
import { VendorResolver } from './vendor.resolver';
import { VendorService } from './vendor.service';

/** Vendors, their API keys, and the gateway's API key lookup. */
@Module({
  controllers: [ApiKeyController],
  providers: [VendorResolver, VendorService, VendorRepository],
  exports: [VendorService],
})
export class VendorModule {}
