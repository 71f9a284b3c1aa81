import { Module } from '@nestjs/common';
import { DistributorRepository } from './distributor.repository';
import { DistributorResolver } from './distributor.resolver';
import { DistributorService } from './distributor.service';

/** The partners that sell a vendor's products. */
@Module({
  providers: [DistributorResolver, DistributorService, DistributorRepository],
  exports: [DistributorService],
})
export class DistributorModule {}
