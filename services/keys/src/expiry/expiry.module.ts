import { Module } from '@nestjs/common';
import { ExpiryRepository } from './expiry.repository';
import { ExpiryService } from './expiry.service';

/** The scheduler of license expiry notices. */
@Module({
  providers: [ExpiryService, ExpiryRepository],
  exports: [ExpiryService],
})
export class ExpiryModule {}
